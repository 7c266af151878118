package payment

// State is where a payment stands. States only move forward (see [State.CanMoveTo]):
//
//	created ──► pending ──► paid
//	   │           ├──────► failed   ──► paid
//	   │           ├──────► canceled ──► paid
//	   └───────────┴──────► expired  ──► paid
//
// A payment the provider confirms as paid stays paid, even when a failure, a cancellation or an
// expiry was recorded earlier (the citizen may finish paying in another tab); nothing ever leaves
// paid.
type State string

// The states of a payment.
const (
	// StateCreated: stored, but the provider has not yet confirmed a transaction.
	StateCreated State = "created"
	// StatePending: the provider holds a transaction; the citizen has not finished (INITIAL).
	StatePending State = "pending"
	// StatePaid: the provider confirmed the payment (PAYED).
	StatePaid State = "paid"
	// StateFailed: the provider aborted the payment, e.g. a card was declined (FAILED).
	StateFailed State = "failed"
	// StateCanceled: the citizen canceled on the pay page (CANCELED).
	StateCanceled State = "canceled"
	// StateExpired: left unpaid longer than the service waits (see [Options.ExpireAfter]).
	StateExpired State = "expired"
)

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	switch s {
	case StateCreated, StatePending, StatePaid, StateFailed, StateCanceled, StateExpired:
		return true
	}
	return false
}

// Final reports whether s ends the citizen's attempt. A final state other than paid may still
// become paid when the provider says so.
func (s State) Final() bool {
	switch s {
	case StatePaid, StateFailed, StateCanceled, StateExpired:
		return true
	}
	return false
}

// CanMoveTo reports whether a payment in state s may move to state to. Staying in the same state
// is not a move and reports false.
func (s State) CanMoveTo(to State) bool {
	switch s {
	case StateCreated:
		return to == StatePending || to == StateFailed || to == StateCanceled || to == StateExpired || to == StatePaid
	case StatePending:
		return to == StatePaid || to == StateFailed || to == StateCanceled || to == StateExpired
	case StateFailed, StateCanceled, StateExpired:
		return to == StatePaid
	}
	return false
}

// Method is the way the citizen paid, as the provider names it (Zahlart). Providers report it
// only for a paid payment.
type Method string

// The payment methods of XBezahldienste and FIT-Connect's paymentInformation.
const (
	MethodGiropay    Method = "GIROPAY"
	MethodPaydirect  Method = "PAYDIRECT"
	MethodCreditCard Method = "CREDITCARD"
	MethodPayPal     Method = "PAYPAL"
	// MethodInvoice: on account (Rechnung); FIT-Connect's paymentInformation names it.
	MethodInvoice Method = "INVOICE"
	MethodOther   Method = "OTHER"
)

// Valid reports whether m is one of the defined methods.
func (m Method) Valid() bool {
	switch m {
	case MethodGiropay, MethodPaydirect, MethodCreditCard, MethodPayPal, MethodInvoice, MethodOther:
		return true
	}
	return false
}
