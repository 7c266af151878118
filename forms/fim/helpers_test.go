package fim_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/forms/fim"
)

// export wraps struktur entries in an XDatenfelder 2.0 Stammdatenschema message.
func export(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="` + fim.NamespaceV2 + `">
<xdf:header><xdf:nachrichtID>t</xdf:nachrichtID></xdf:header>
<xdf:stammdatenschema>
<xdf:identifikation><xdf:id>S99</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>Testantrag</xdf:name>
<xdf:bezeichnungEingabe>Antrag zum Testen</xdf:bezeichnungEingabe>
` + body + `
</xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>`
}

// exportV3 wraps struktur entries of a group G1 in an XDatenfelder 3.0.0 Datenfeldgruppe message.
func exportV3(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="` + fim.NamespaceV3 + `">
<xdf:header><xdf:nachrichtID>t</xdf:nachrichtID></xdf:header>
<xdf:datenfeldgruppe>
<xdf:identifikation><xdf:id>G1</xdf:id><xdf:version>1.0.0</xdf:version></xdf:identifikation>
<xdf:name>Gruppe</xdf:name>
` + body + `
</xdf:datenfeldgruppe>
</xdf:xdatenfelder.datenfeldgruppe.0103>`
}

// field is one struktur entry with a Datenfeld; extra goes inside the datenfeld.
func field(id, anzahl, feldart, datentyp, extra string) string {
	return `<xdf:struktur><xdf:anzahl>` + anzahl + `</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
<xdf:identifikation><xdf:id>` + id + `</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>Name ` + id + `</xdf:name><xdf:bezeichnungEingabe>Feld ` + id + `</xdf:bezeichnungEingabe>
<xdf:feldart><code>` + feldart + `</code></xdf:feldart><xdf:datentyp><code>` + datentyp + `</code></xdf:datentyp>
` + extra + `</xdf:datenfeld></xdf:enthaelt></xdf:struktur>`
}

// group is one struktur entry with a Datenfeldgruppe; inner holds its struktur entries and rules.
func group(id, anzahl, inner string) string {
	return `<xdf:struktur><xdf:anzahl>` + anzahl + `</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>
<xdf:identifikation><xdf:id>` + id + `</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>Gruppe ` + id + `</xdf:name><xdf:bezeichnungEingabe>Gruppe ` + id + `</xdf:bezeichnungEingabe>
` + inner + `</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>`
}

func rule(id, name, definition string) string {
	return `<xdf:regel><xdf:identifikation><xdf:id>` + id + `</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
<xdf:name>` + name + `</xdf:name><xdf:definition>` + definition + `</xdf:definition><xdf:script/></xdf:regel>`
}

func mustImport(t *testing.T, xml string, opts *fim.Options) (*fim.Result, map[string]any) {
	t.Helper()
	res, err := fim.Import(strings.NewReader(xml), opts)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	var doc map[string]any
	d := json.NewDecoder(strings.NewReader(string(res.Schema)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return res, doc
}

// at resolves a slash path of keys (array indices as numbers) in a decoded JSON value.
func at(v any, path string) any {
	for _, k := range strings.Split(strings.Trim(path, "/"), "/") {
		if k == "" {
			continue
		}
		switch n := v.(type) {
		case map[string]any:
			v = n[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
