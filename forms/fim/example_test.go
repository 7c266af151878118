package fim_test

import (
	"fmt"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/forms/fim"
)

// Import a Stammdatenschema and load the result as a form.
func ExampleImport() {
	export := `<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
 <xdf:stammdatenschema>
  <xdf:identifikation><xdf:id>S1</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
  <xdf:name>Beispiel</xdf:name>
  <xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
   <xdf:identifikation><xdf:id>F60000227</xdf:id><xdf:version>1.1</xdf:version></xdf:identifikation>
   <xdf:name>Familienname</xdf:name><xdf:bezeichnungEingabe>Familienname</xdf:bezeichnungEingabe>
   <xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp>
   <xdf:praezisierung>{"minLength":"1","maxLength":"120"}</xdf:praezisierung>
  </xdf:datenfeld></xdf:enthaelt></xdf:struktur>
  <xdf:struktur><xdf:anzahl>0:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
   <xdf:identifikation><xdf:id>F60000230</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
   <xdf:name>Nachweis</xdf:name>
   <xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>file</code></xdf:datentyp>
  </xdf:datenfeld></xdf:enthaelt></xdf:struktur>
 </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>`
	res, err := fim.Import(strings.NewReader(export), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	form, err := forms.Load("beispiel.schema.json", res.Schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	name := form.Field("/F60000227")
	fmt.Println(name.Label.DE, name.Required, name.MaxLength)
	fmt.Println(form.Validate([]byte(`{"F60000227": ""}`)) != nil)
	fmt.Println(res.Evidence[0].Requirement.ID, res.Evidence[0].Requirement.Required)
	// Output:
	// Familienname true 120
	// true
	// f60000230 false
}
