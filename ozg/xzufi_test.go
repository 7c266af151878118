package ozg_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/internal/vectors"
	"github.com/ozgkit/ozgkit/ozg"
)

var updateXZuFi = flag.Bool("update-xzufi", false, "rewrite testdata/xzufi.golden.xml")

// xzufiCatalog has three services: two of one authority in Kiel (one needing no login and
// with English texts) and one of the Land Schleswig-Holstein.
func xzufiCatalog(t *testing.T) *ozg.Catalog {
	t.Helper()
	c := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	kiel := exampleService("wohngeld-kiel", "010020000000")
	kiel.NameEN = "Apply for housing benefit"
	kiel.DescriptionEN = "A subsidy towards the rent for households with a low income."
	park := exampleService("parkausweis-kiel", "010020000000")
	park.Name = "Bewohnerparkausweis beantragen"
	park.Description = "Parkausweis für Bewohnerinnen und Bewohner eines Gebiets mit Parkraumbewirtschaftung."
	park.LegalBasis = "§ 45 Abs. 1b StVO"
	park.LeikaKey = "99108001001000"
	park.Level = identity.LevelNone
	land := exampleService("wohngeld-sh", "010000000000")
	land.Authority.Name = "Landesamt für Wohngeld"
	land.Level = identity.LevelHigh
	for _, s := range []*ozg.Service{kiel, park, land} {
		if err := c.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func xzufiOptions() ozg.XZuFiOptions {
	return ozg.XZuFiOptions{
		BaseURL:   "https://portal.kiel.example/",
		Redaktion: "L100001",
		Now:       func() time.Time { return time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC) },
		MessageID: "0b6a3d1e-7d0c-4c1e-9a57-2f1f8f0e6d21",
	}
}

// element is a generic XML element for reading the export back.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

func (e element) all(local string) []element {
	var out []element
	for _, c := range e.Children {
		if c.XMLName.Local == local {
			out = append(out, c)
		}
	}
	return out
}

func (e element) one(t *testing.T, path string) element {
	t.Helper()
	cur := e
	for _, p := range strings.Split(path, "/") {
		cs := cur.all(p)
		if len(cs) == 0 {
			t.Fatalf("no %s below <%s>", path, e.XMLName.Local)
		}
		cur = cs[0]
	}
	return cur
}

func (e element) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestWriteXZuFiWritesLeistungOnlinedienstAndZustaendigkeit(t *testing.T) {
	var buf bytes.Buffer
	if err := xzufiCatalog(t).WriteXZuFi(&buf, xzufiOptions()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "xzufi.golden.xml")
	if *updateXZuFi {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run XZuFi -update-xzufi to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("export differs from %s:\n%s", golden, buf.String())
	}

	var root element
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatalf("the export is not XML: %v", err)
	}
	if root.XMLName.Space != ozg.XZuFiNamespace || root.attr("xzufiVersion") != "2.2.0" {
		t.Errorf("root = %v version %q", root.XMLName, root.attr("xzufiVersion"))
	}
	if got := root.one(t, "nachrichtenkopf/sender").Text; got != "L100001" {
		t.Errorf("sender = %q", got)
	}
	if got := root.one(t, "nachrichtenkopf/erstellungszeitpunkt").Text; got != "2026-06-01T08:00:00Z" {
		t.Errorf("erstellungszeitpunkt = %q", got)
	}
	// Each schreibe holds one object.
	objects := map[string][]element{}
	for _, w := range root.all("schreibe") {
		if len(w.Children) != 1 {
			t.Fatalf("a schreibe holds %d objects, want 1", len(w.Children))
		}
		c := w.Children[0]
		objects[c.XMLName.Local] = append(objects[c.XMLName.Local], c)
	}
	leistungen, oes, dienste, zust := objects["leistung"], objects["organisationseinheit"], objects["onlinedienst"], objects["zustaendigkeitTransferObjekt"]
	if len(leistungen) != 3 || len(oes) != 2 || len(dienste) != 3 || len(zust) != 6 {
		t.Fatalf("%d Leistungen, %d Organisationseinheiten, %d Onlinedienste, %d Zuständigkeiten; want 3, 2, 3, 6",
			len(leistungen), len(oes), len(dienste), len(zust))
	}
	// Services come in id order: parkausweis-kiel, wohngeld-kiel, wohngeld-sh.
	l := leistungen[1]
	if id := l.one(t, "id"); id.Text != "wohngeld-kiel" || id.attr("schemeAgencyID") != "L100001" {
		t.Errorf("Leistung id = %q (%q)", id.Text, id.attr("schemeAgencyID"))
	}
	if got := l.one(t, "referenzLeiKa/code").Text; got != "99107004017000" {
		t.Errorf("referenzLeiKa = %q", got)
	}
	texts := map[string][]string{}
	for _, m := range l.all("modulText") {
		code := m.one(t, "leikaTextmodul/code").Text
		for _, in := range m.all("inhalt") {
			texts[code] = append(texts[code], in.attr("languageCode")+":"+in.Text)
		}
	}
	if got := strings.Join(texts["02"], "|"); got != "de:Wohngeld beantragen|en:Apply for housing benefit" {
		t.Errorf("Leistungsbezeichnung = %s", got)
	}
	if got := strings.Join(texts["07"], "|"); got != "de:§ 22 WoGG" {
		t.Errorf("Rechtsgrundlage = %s", got)
	}

	for i, want := range []struct{ id, link, level string }{
		{"parkausweis-kiel-online", "https://portal.kiel.example/leistungen/parkausweis-kiel", ""},
		{"wohngeld-kiel-online", "https://portal.kiel.example/leistungen/wohngeld-kiel", "substanziell"},
		{"wohngeld-sh-online", "https://portal.kiel.example/leistungen/wohngeld-sh", "hoch"},
	} {
		d := dienste[i]
		if got := d.one(t, "id").Text; got != want.id {
			t.Errorf("Onlinedienst %d id = %q, want %q", i, got, want.id)
		}
		if got := d.one(t, "link/link").Text; got != want.link {
			t.Errorf("Onlinedienst %s link = %q, want %q", want.id, got, want.link)
		}
		if got := d.one(t, "link/typ/code").Text; got != "01" {
			t.Errorf("Onlinedienst %s link typ = %q", want.id, got)
		}
		levels := d.all("vertrauensniveau")
		switch {
		case want.level == "" && len(levels) != 0:
			t.Errorf("Onlinedienst %s of a service without login has a Vertrauensniveau", want.id)
		case want.level != "" && (len(levels) != 1 || levels[0].one(t, "code").Text != want.level):
			t.Errorf("Onlinedienst %s Vertrauensniveau = %+v, want %s", want.id, levels, want.level)
		}
	}
	if got := oes[0].one(t, "name/name").Text; got != "Wohngeldbehörde" {
		t.Errorf("Organisationseinheit name = %q", got)
	}

	// Zuständigkeiten: per service one for its authority and one for its Onlinedienst, for the
	// authority's ARS.
	kielOE := oes[0].one(t, "id").Text
	type assignment struct{ parent, leistung, gebiet string }
	var got []assignment
	for _, z := range zust {
		g := z.one(t, "zustaendigkeit/gebietID")
		if g.attr("schemeID") != "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs" {
			t.Errorf("gebietID scheme = %q", g.attr("schemeID"))
		}
		got = append(got, assignment{z.one(t, "uebergeordnetesObjektID").Text, z.one(t, "zustaendigkeit/leistungID").Text, g.Text})
	}
	wantZ := []assignment{
		{kielOE, "parkausweis-kiel", "010020000000"},
		{"parkausweis-kiel-online", "parkausweis-kiel", "010020000000"},
		{kielOE, "wohngeld-kiel", "010020000000"},
		{"wohngeld-kiel-online", "wohngeld-kiel", "010020000000"},
		{oes[1].one(t, "id").Text, "wohngeld-sh", "010000000000"},
		{"wohngeld-sh-online", "wohngeld-sh", "010000000000"},
	}
	if fmt.Sprint(got) != fmt.Sprint(wantZ) {
		t.Errorf("Zuständigkeiten = %v\nwant %v", got, wantZ)
	}
}

func TestWriteXZuFiRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*ozg.XZuFiOptions)
	}{
		{"a missing base URL", func(o *ozg.XZuFiOptions) { o.BaseURL = "" }},
		{"a base URL with a query", func(o *ozg.XZuFiOptions) { o.BaseURL = "https://portal.example/?x=1" }},
		{"a missing Redaktion", func(o *ozg.XZuFiOptions) { o.Redaktion = "" }},
		{"a Redaktion with spaces", func(o *ozg.XZuFiOptions) { o.Redaktion = "Stadt Kiel" }},
		{"a code list without a code for a service's level", func(o *ozg.XZuFiOptions) {
			o.Vertrauensniveau = ozg.XZuFiCodeList{URI: "urn:example:niveau", Codes: map[identity.Level]string{identity.LevelSubstantial: "3"}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := xzufiOptions()
			tc.modify(&opts)
			var buf bytes.Buffer
			if err := xzufiCatalog(t).WriteXZuFi(&buf, opts); !errors.Is(err, ozg.ErrXZuFiOptions) {
				t.Errorf("err = %v, want ErrXZuFiOptions", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before refusing", buf.Len())
			}
		})
	}
}

func TestWriteXZuFiUsesTheGivenCodeList(t *testing.T) {
	opts := xzufiOptions()
	opts.Vertrauensniveau = ozg.XZuFiCodeList{URI: "urn:example:niveau", Version: "1", Codes: map[identity.Level]string{
		identity.LevelSubstantial: "3", identity.LevelHigh: "4",
	}}
	var buf bytes.Buffer
	if err := xzufiCatalog(t).WriteXZuFi(&buf, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<xzufi:vertrauensniveau listURI="urn:example:niveau" listVersionID="1">`+"\n        <code>4</code>") {
		t.Errorf("the given code list is not used:\n%s", buf.String())
	}
}

// TestWriteXZuFiValidatesAgainstXSD validates the export with xmllint against the XZuFi 2.2
// XSD when it is available: $OZGKIT_XZUFI_XSD (the XSD of the transfer messages, with the
// files it includes beside it) or xzufi/xzufi.xsd in the shared vectors.
func TestWriteXZuFiValidatesAgainstXSD(t *testing.T) {
	xsd := os.Getenv("OZGKIT_XZUFI_XSD")
	if xsd == "" {
		p, ok := vectors.Path("xzufi", "xzufi.xsd")
		if !ok {
			t.Skip("no XZuFi 2.2 XSD: set OZGKIT_XZUFI_XSD to the XSD of the transfer messages (XRepository, urn:xoev-de:fim:standard:xzufi_2.2.0)")
		}
		xsd = p
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian libxml2-utils; see .ci/setup.d/xmllint.sh)")
	}
	var buf bytes.Buffer
	if err := xzufiCatalog(t).WriteXZuFi(&buf, xzufiOptions()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "xzufi.xml")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("xmllint --schema %s: %v\n%s", xsd, err, msg)
	}
}

func ExampleCatalog_WriteXZuFi() {
	catalog := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := catalog.Register(exampleService("wohngeld-kiel", "010020000000")); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	err := catalog.WriteXZuFi(&buf, ozg.XZuFiOptions{BaseURL: "https://portal.kiel.example", Redaktion: "L100001"})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "<xzufi:link>") || strings.HasPrefix(l, "<xzufi:gebietID") {
			fmt.Println(l)
		}
	}
	// Output:
	// <xzufi:gebietID schemeID="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">010020000000</xzufi:gebietID>
	// <xzufi:link>https://portal.kiel.example/leistungen/wohngeld-kiel</xzufi:link>
	// <xzufi:gebietID schemeID="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">010020000000</xzufi:gebietID>
}

func BenchmarkWriteXZuFi(b *testing.B) {
	c := ozg.NewCatalog(&ozg.CatalogOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for i := range 100 {
		if err := c.Register(exampleService(fmt.Sprintf("wohngeld-%03d", i), "010020000000")); err != nil {
			b.Fatal(err)
		}
	}
	opts := xzufiOptions()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteXZuFi(io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
}
