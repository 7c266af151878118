package ozg

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// State is the state of an application (Antrag).
type State string

// The states of an application. The lifecycle is
//
//	draft → submitted → delivered → accepted → decided
//	                              ↘ rejected
//
// and the citizen may withdraw it from draft, submitted, delivered or accepted. rejected
// (the authority could not process the submission), decided (a notice was issued) and withdrawn
// are final.
const (
	StateDraft     State = "draft"     // being filled in (Entwurf)
	StateSubmitted State = "submitted" // sent by the citizen, queued for delivery (eingereicht)
	StateDelivered State = "delivered" // received by the back office (zugestellt)
	StateAccepted  State = "accepted"  // accepted for processing (angenommen)
	StateRejected  State = "rejected"  // refused as not processable (zurückgewiesen)
	StateDecided   State = "decided"   // a notice (Bescheid) was issued (beschieden)
	StateWithdrawn State = "withdrawn" // withdrawn by the citizen (zurückgezogen)
)

var transitions = map[State][]State{
	StateDraft:     {StateSubmitted, StateWithdrawn},
	StateSubmitted: {StateDelivered, StateWithdrawn},
	StateDelivered: {StateAccepted, StateRejected, StateWithdrawn},
	StateAccepted:  {StateDecided, StateWithdrawn},
}

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	switch s {
	case StateDraft, StateSubmitted, StateDelivered, StateAccepted, StateRejected, StateDecided, StateWithdrawn:
		return true
	}
	return false
}

// Final reports whether no transition leaves s.
func (s State) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

// CanTransition reports whether an application in state s may move to state to.
func (s State) CanTransition(to State) bool { return slices.Contains(transitions[s], to) }

// Transition is one entry of an application's history.
type Transition struct {
	From State     `json:"from"`
	To   State     `json:"to"`
	At   time.Time `json:"at"`
	// Note says why, e.g. a delivery receipt id or a rejection reason. No personal data.
	Note string `json:"note,omitempty"`
}

// Application is an application (Antrag) of one citizen for one service.
type Application struct {
	// ID is a UUID.
	ID string `json:"id"`
	// ServiceID is the id of the service applied for.
	ServiceID string `json:"serviceId"`
	// Owner is the citizen's stable subject (for BundID the bPK2 pseudonym). Every lookup on
	// behalf of a citizen is by owner.
	Owner string `json:"owner"`
	// Data is the form data, a JSON object.
	Data json.RawMessage `json:"data"`
	// Provenance records where each value of Data came from, by JSON pointer: "user" or
	// "prefill:<source>" for values filled once-only from what the administration holds.
	Provenance map[string]string `json:"provenance,omitempty"`
	// State is the current state; History lists every change, oldest first.
	State   State        `json:"state"`
	History []Transition `json:"history"`
	// Reference is the reference number (Aktenzeichen), assigned on submission.
	Reference string `json:"reference,omitempty"`
	// Version counts stored changes, starting at 1; stores use it to detect concurrent updates.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TransitionError says that an application could not move from one state to another. It
// matches ErrInvalidTransition with errors.Is.
type TransitionError struct {
	ApplicationID string
	From, To      State
}

func (e *TransitionError) Error() string {
	if len(transitions[e.From]) == 0 {
		return fmt.Sprintf("ozg: application %s: cannot move from %s to %s: %s is final", e.ApplicationID, e.From, e.To, e.From)
	}
	return fmt.Sprintf("ozg: application %s: cannot move from %s to %s (allowed: %v)", e.ApplicationID, e.From, e.To, transitions[e.From])
}

// Unwrap makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// Transition moves the application to state to at time at and records it in the history.
// A transition the lifecycle does not allow returns a *TransitionError and changes nothing.
func (a *Application) Transition(to State, at time.Time, note string) error {
	if !a.State.CanTransition(to) {
		return &TransitionError{ApplicationID: a.ID, From: a.State, To: to}
	}
	a.History = append(a.History, Transition{From: a.State, To: to, At: at.UTC(), Note: note})
	a.State = to
	a.UpdatedAt = at.UTC()
	return nil
}

// Clone returns a deep copy, so that a store's copy and a caller's never share memory.
func (a *Application) Clone() *Application {
	c := *a
	c.Data = slices.Clone(a.Data)
	c.History = slices.Clone(a.History)
	c.Provenance = maps.Clone(a.Provenance)
	return &c
}
