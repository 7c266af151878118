package ozg_test

import (
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// fullyOnline is a deployment with form, login at high, payment and upload, but neither
// digital notice nor once-only.
var fullyOnline = ozg.Deployment{
	Information: true, Form: ozg.FormOnline, Account: true, AuthLevel: identity.LevelHigh,
	OnlinePayment: true, EvidenceUpload: true,
}

func criterion(a ozg.Assessment, name string) ozg.Criterion {
	for _, c := range a.Criteria {
		if c.Name == name {
			return c
		}
	}
	return ozg.Criterion{Name: name, Level: -1}
}

func TestAssess(t *testing.T) {
	paid := func(t testing.TB) *ozg.Service {
		s := wohngeld(t)
		s.Fee = &ozg.Fee{Amount: 2500, LegalBasis: "GebO Nr. 3", DueBeforeSubmission: true}
		return s
	}
	tests := []struct {
		name     string
		service  func(t testing.TB) *ozg.Service
		deploy   func(d *ozg.Deployment)
		want     int
		limiting []string
	}{
		{"form, login at the required level, payment and upload give level 3", paid,
			func(d *ozg.Deployment) {}, 3, []string{"notice", "once-only"}},
		{"a missing upload for a service with required evidence gives level 2", paid,
			func(d *ozg.Deployment) { d.EvidenceUpload = false }, 2, []string{"evidence"}},
		{"once-only and a digital notice give level 4", paid,
			func(d *ozg.Deployment) { d.OnceOnly, d.DigitalNotice = true, true }, 4, nil},
		{"a fee without online payment gives level 2", paid,
			func(d *ozg.Deployment) { d.OnlinePayment = false }, 2, []string{"payment"}},
		{"a free service needs no online payment", wohngeld,
			func(d *ozg.Deployment) { d.OnlinePayment = false }, 3, []string{"notice", "once-only"}},
		{"a login below the required level gives level 2", paid,
			func(d *ozg.Deployment) { d.AuthLevel = identity.LevelBasic }, 2, []string{"authentication"}},
		{"no account at all gives level 2", paid,
			func(d *ozg.Deployment) { d.Account = false }, 2, []string{"authentication"}},
		{"a form to download gives level 2", paid,
			func(d *ozg.Deployment) { d.Form = ozg.FormDownload }, 2, nil},
		{"information only gives level 1", paid,
			func(d *ozg.Deployment) { d.Form = ozg.FormNone }, 1, []string{"form"}},
		{"nothing online gives level 0", paid,
			func(d *ozg.Deployment) { *d = ozg.Deployment{} }, 0, []string{"information"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fullyOnline
			tt.deploy(&d)
			a := ozg.Assess(tt.service(t), d)
			if a.Model != ozg.Model11 || a.MaxLevel != 4 {
				t.Fatalf("model %q max %d", a.Model, a.MaxLevel)
			}
			if a.Level != tt.want {
				t.Fatalf("level %d, want %d; criteria %+v", a.Level, tt.want, a.Criteria)
			}
			if a.OnlineAccessible() != (tt.want >= 3) {
				t.Errorf("OnlineAccessible = %v at level %d", a.OnlineAccessible(), a.Level)
			}
			if len(a.Criteria) != 7 {
				t.Fatalf("%d criteria, want 7", len(a.Criteria))
			}
			for _, c := range a.Criteria {
				if c.Reason == "" {
					t.Errorf("criterion %s has no reason", c.Name)
				}
				if c.Level < a.Level {
					t.Errorf("criterion %s is at %d, below the result %d", c.Name, c.Level, a.Level)
				}
			}
			for _, name := range tt.limiting {
				if c := criterion(a, name); c.Level != a.Level {
					t.Errorf("criterion %s at %d should limit the level %d: %s", name, c.Level, a.Level, c.Reason)
				}
			}
		})
	}
}

func TestAssessExplainsWhyTheLoginFallsShort(t *testing.T) {
	s := wohngeld(t)
	s.Level = identity.LevelHigh
	d := fullyOnline
	d.AuthLevel = identity.LevelSubstantial
	c := criterion(ozg.Assess(s, d), "authentication")
	if c.Level != 2 || c.Reason != "the service needs level high, but the portal's login reaches only substantial" {
		t.Fatalf("authentication criterion = %+v", c)
	}
}
