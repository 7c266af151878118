package ozg

import (
	"fmt"

	"github.com/ozgkit/ozgkit/identity"
)

// MaturityModel names a version of the OZG Reifegradmodell. An assessment carries the model it
// was made under, because levels of different models do not compare: model 1.1 counts 0–4,
// model 2.0 counts 0–7.
type MaturityModel string

// Model11 is the OZG Reifegradmodell 1.1 (levels 0–4): 0 no information online, 1 information
// online, 2 form online (filled or downloaded, sent on paper or by e-mail), 3 fully online
// application including evidence, authentication and payment, 4 fully digital including the
// notice (Bescheid) and once-only.
const Model11 MaturityModel = "1.1"

// FormKind says how a deployment offers a service's form.
type FormKind int

const (
	// FormNone: no form online; the citizen learns about the service only.
	FormNone FormKind = iota
	// FormDownload: a form to download or print and send in.
	FormDownload
	// FormOnline: a form filled in and submitted online.
	FormOnline
)

// Deployment says what a portal offers for a service, the facts an assessment weighs.
type Deployment struct {
	// Information: the service is described online (name, authority, requirements), e.g. in a
	// [Catalog] that the portal publishes.
	Information bool
	// Form says how the citizen gets and sends the form.
	Form FormKind
	// Account: citizens have a user account (Nutzerkonto, e.g. BundID) to apply with.
	Account bool
	// AuthLevel is the highest trust level the portal's login reaches (e.g. LevelHigh with the
	// eID card offered through BundID).
	AuthLevel identity.Level
	// OnlinePayment: fees can be paid online (e.g. through an XBezahldienste provider).
	OnlinePayment bool
	// EvidenceUpload: evidence (Nachweise) can be uploaded with the application.
	EvidenceUpload bool
	// DigitalNotice: the notice (Bescheid) is delivered digitally to the citizen's mailbox.
	DigitalNotice bool
	// OnceOnly: data and evidence the administration already holds are retrieved, not asked again.
	OnceOnly bool
}

// Criterion is one aspect of an assessment with the highest level it allows.
type Criterion struct {
	// Name identifies the criterion: information, form, authentication, payment, evidence,
	// notice, once-only.
	Name string `json:"name"`
	// Level is the highest maturity level this criterion allows.
	Level int `json:"level"`
	// Reason explains the level in a sentence.
	Reason string `json:"reason"`
}

// Assessment is the maturity (Reifegrad) of a service as deployed: the lowest of its criteria.
type Assessment struct {
	Model     MaturityModel `json:"model"`
	ServiceID string        `json:"serviceId"`
	Level     int           `json:"level"`
	// MaxLevel is the top level of Model (4 for model 1.1).
	MaxLevel int         `json:"maxLevel"`
	Criteria []Criterion `json:"criteria"`
}

// Limiting returns the criteria whose level is the assessment's level: what to improve first.
func (a Assessment) Limiting() []Criterion {
	var out []Criterion
	for _, c := range a.Criteria {
		if c.Level == a.Level {
			out = append(out, c)
		}
	}
	return out
}

// OnlineAccessible reports whether the service counts as online under the OZG: level 3 or
// more under model 1.1.
func (a Assessment) OnlineAccessible() bool { return a.Model == Model11 && a.Level >= 3 }

// Assess rates a service as deployed under model 1.1 of the OZG Reifegradmodell. Every
// criterion gets the highest level it allows and a reason; the service's level is the lowest of
// them. Criteria that do not apply (no fee, no evidence, no login needed) allow every level.
func Assess(s *Service, d Deployment) Assessment {
	const top = 4
	crit := func(name string, level int, reason string, args ...any) Criterion {
		return Criterion{Name: name, Level: level, Reason: fmt.Sprintf(reason, args...)}
	}
	var cs []Criterion

	if d.Information {
		cs = append(cs, crit("information", top, "the service is described online"))
	} else {
		cs = append(cs, crit("information", 0, "the service is not described online"))
	}

	switch d.Form {
	case FormOnline:
		cs = append(cs, crit("form", top, "the form is filled in and submitted online"))
	case FormDownload:
		cs = append(cs, crit("form", 2, "the form is only downloaded; the application is sent offline"))
	default:
		cs = append(cs, crit("form", 1, "no form is offered online"))
	}

	switch {
	case s.Level == identity.LevelNone:
		cs = append(cs, crit("authentication", top, "the service needs no login"))
	case !d.Account:
		cs = append(cs, crit("authentication", 2, "the service needs a login at level %s, but the portal offers no user account", s.Level))
	case !d.AuthLevel.Meets(s.Level):
		cs = append(cs, crit("authentication", 2, "the service needs level %s, but the portal's login reaches only %s", s.Level, d.AuthLevel))
	default:
		cs = append(cs, crit("authentication", top, "citizens log in at level %s or higher as the service requires", s.Level))
	}

	switch {
	case s.Fee == nil:
		cs = append(cs, crit("payment", top, "the service is free of charge"))
	case d.OnlinePayment:
		cs = append(cs, crit("payment", top, "the fee of %s EUR is paid online", formatEuro(s.Fee.Amount)))
	default:
		cs = append(cs, crit("payment", 2, "a fee of %s EUR is due but cannot be paid online", formatEuro(s.Fee.Amount)))
	}

	switch {
	case len(s.Evidence) == 0:
		cs = append(cs, crit("evidence", top, "the service needs no evidence"))
	case d.EvidenceUpload:
		cs = append(cs, crit("evidence", top, "evidence can be uploaded for every requirement (%d)", len(s.Evidence)))
	default:
		cs = append(cs, crit("evidence", 2, "evidence for %d requirements cannot be uploaded and must be sent offline", len(s.Evidence)))
	}

	if d.DigitalNotice {
		cs = append(cs, crit("notice", top, "the notice (Bescheid) reaches the citizen's mailbox digitally"))
	} else {
		cs = append(cs, crit("notice", 3, "the notice (Bescheid) is not delivered digitally"))
	}

	if d.OnceOnly {
		cs = append(cs, crit("once-only", top, "data and evidence the administration holds are retrieved, not asked again"))
	} else {
		cs = append(cs, crit("once-only", 3, "data and evidence the administration holds are asked again (no once-only)"))
	}

	level := top
	for _, c := range cs {
		level = min(level, c.Level)
	}
	return Assessment{Model: Model11, ServiceID: s.ID, Level: level, MaxLevel: top, Criteria: cs}
}
