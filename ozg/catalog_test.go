package ozg_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/ozg"
)

// inRegion returns a copy of the Wohngeld descriptor for another authority.
func inRegion(t *testing.T, id, ars string) *ozg.Service {
	s := wohngeld(t)
	s.ID = id
	s.Authority.Region = ars
	return s
}

func TestRegionScope(t *testing.T) {
	tests := []struct{ in, want string }{
		{"010020000000", "01002"},        // Kiel, kreisfreie Stadt
		{"010000000000", "01"},           // Schleswig-Holstein
		{"091620000000", "09162"},        // München
		{"091000000000", "091"},          // Regierungsbezirk Oberbayern
		{"010575757001", "010575757001"}, // a Gemeinde in a Gemeindeverband
		{"010570000000", "01057"},        // Kreis Plön
		{"01", "01"},
		{"01057", "01057"},
	}
	for _, tt := range tests {
		got, err := ozg.RegionScope(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("RegionScope(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0", "0100", "01002000000", "170000000000", "00", "01002x000000"} {
		if _, err := ozg.RegionScope(bad); err == nil {
			t.Errorf("RegionScope(%q) accepted", bad)
		}
	}
}

func TestCatalogRegistersAndFinds(t *testing.T) {
	c := ozg.NewCatalog(nil)
	kiel := inRegion(t, "wohngeld-kiel", "010020000000")
	sh := inRegion(t, "wohngeld-sh", "010000000000")
	muc := inRegion(t, "wohngeld-muenchen", "091620000000")
	other := inRegion(t, "hundesteuer-kiel", "010020000000")
	other.LeikaKey = "99017002000000"
	for _, s := range []*ozg.Service{kiel, sh, muc, other} {
		if err := c.Register(s); err != nil {
			t.Fatalf("Register(%s): %v", s.ID, err)
		}
	}
	if err := c.Register(inRegion(t, "wohngeld-kiel", "010020000000")); !errors.Is(err, ozg.ErrDuplicateService) {
		t.Fatalf("duplicate Register = %v, want ErrDuplicateService", err)
	}
	if got, err := c.Service("wohngeld-kiel"); err != nil || got != kiel {
		t.Fatalf("Service = %v, %v", got, err)
	}
	if _, err := c.Service("nope"); !errors.Is(err, ozg.ErrNotFound) {
		t.Fatalf("Service(nope) = %v, want ErrNotFound", err)
	}
	if got := ids(c.ByLeikaKey("99107004017000")); got != "wohngeld-kiel wohngeld-muenchen wohngeld-sh" {
		t.Errorf("ByLeikaKey = %s", got)
	}

	regions := []struct {
		ars, want string
	}{
		{"010020000000", "hundesteuer-kiel wohngeld-kiel wohngeld-sh"}, // Kiel: its own, then the Land's
		{"01002", "hundesteuer-kiel wohngeld-kiel wohngeld-sh"},
		{"010570000000", "wohngeld-sh"},                      // Plön: only the Land's
		{"01", "hundesteuer-kiel wohngeld-kiel wohngeld-sh"}, // the Land: all inside it
		{"09", "wohngeld-muenchen"},
		{"05", ""},
	}
	for _, tt := range regions {
		got, err := c.ByRegion(tt.ars)
		if err != nil || ids(got) != tt.want {
			t.Errorf("ByRegion(%s) = %q, %v; want %q", tt.ars, ids(got), err, tt.want)
		}
	}
	if _, err := c.ByRegion("0100"); err == nil {
		t.Error("ByRegion accepted a 4-digit ARS")
	}

	routes := []struct{ ars, want string }{
		{"010020000000", "wohngeld-kiel"},
		{"010570000000", "wohngeld-sh"},
		{"091620000000", "wohngeld-muenchen"},
	}
	for _, tt := range routes {
		got, err := c.Route("99107004017000", tt.ars)
		if err != nil || got.ID != tt.want {
			t.Errorf("Route(%s) = %v, %v; want %s", tt.ars, got, err, tt.want)
		}
	}
	if _, err := c.Route("99107004017000", "050000000000"); !errors.Is(err, ozg.ErrNotFound) {
		t.Errorf("Route in NRW = %v, want ErrNotFound", err)
	}
}

func ids(ss []*ozg.Service) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return strings.Join(out, " ")
}

func TestCatalogExports(t *testing.T) {
	c := ozg.NewCatalog(nil)
	s := wohngeld(t)
	s.Fee = &ozg.Fee{Amount: 1550, LegalBasis: "Gebührensatzung Nr. 1", DueBeforeSubmission: true}
	if err := c.Register(s); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := c.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &list); err != nil || len(list) != 1 {
		t.Fatalf("WriteJSON: %v, %s", err, buf.Bytes())
	}
	if list[0]["leikaKey"] != "99107004017000" || list[0]["level"] != "substantial" {
		t.Errorf("JSON export = %v", list[0])
	}

	ld, err := c.JSONLD("https://portal.kiel.example/")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context string           `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal(ld, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Context != "https://schema.org" || len(doc.Graph) != 1 {
		t.Fatalf("JSON-LD = %s", ld)
	}
	g := doc.Graph[0]
	if g["@type"] != "GovernmentService" || g["url"] != "https://portal.kiel.example/leistungen/wohngeld" {
		t.Errorf("service node = %v", g)
	}
	if p, _ := g["provider"].(map[string]any); p["@type"] != "GovernmentOrganization" {
		t.Errorf("provider = %v", g["provider"])
	}
	if o, _ := g["offers"].(map[string]any); o["price"] != "15.50" || o["priceCurrency"] != "EUR" {
		t.Errorf("offers = %v", g["offers"])
	}
	if !strings.Contains(string(ld), "urn:de:fim:leika:leistung:99107004017000") {
		t.Error("JSON-LD lacks the LeiKa URN")
	}
	one, err := ozg.ServiceJSONLD("https://portal.kiel.example", s)
	if err != nil || !strings.Contains(string(one), `"@context": "https://schema.org"`) || !strings.Contains(string(one), `"GovernmentService"`) {
		t.Errorf("ServiceJSONLD = %s, %v", one, err)
	}

	buf.Reset()
	if err := c.WriteSitemap(&buf, "https://portal.kiel.example"); err != nil {
		t.Fatal(err)
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &sm); err != nil || len(sm.URLs) != 1 || sm.URLs[0].Loc != "https://portal.kiel.example/leistungen/wohngeld" {
		t.Fatalf("sitemap = %s, %v", buf.Bytes(), err)
	}
	if !strings.Contains(buf.String(), `xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"`) {
		t.Error("sitemap lacks its namespace")
	}
	for _, bad := range []string{"", "portal.kiel.example", "ftp://portal.kiel.example", "https://portal.kiel.example/?q=1"} {
		if _, err := c.JSONLD(bad); err == nil {
			t.Errorf("JSONLD accepted base URL %q", bad)
		}
		if err := c.WriteSitemap(&bytes.Buffer{}, bad); err == nil {
			t.Errorf("WriteSitemap accepted base URL %q", bad)
		}
	}
}
