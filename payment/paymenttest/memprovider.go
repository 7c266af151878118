package paymenttest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/xbezahldienste"
)

// Action is what the citizen chooses on the pay page.
type Action string

// The citizen's choices.
const (
	// ActionPay pays; the transaction becomes PAYED.
	ActionPay Action = "pay"
	// ActionCancel cancels; the transaction becomes CANCELED.
	ActionCancel Action = "cancel"
	// ActionFail stands for a payment the provider aborts (a declined card): FAILED.
	ActionFail Action = "fail"
)

// MemoryProviderURL is the base of the URLs a [MemoryProvider] hands out; nothing is served
// there (.invalid never resolves).
const MemoryProviderURL = "https://memory-provider.invalid/"

// MemoryProvider is a [payment.Provider] and [payment.Refunder] in memory. Its pay page is not served anywhere:
// tests act for the citizen with [MemoryProvider.Act]. Safe for concurrent use.
type MemoryProvider struct {
	mu          sync.Mutex
	txs         map[string]*payment.Transaction
	refunded    map[string]int64
	byRequest   map[string]string
	unavailable int
	now         func() time.Time
}

// NewMemoryProvider returns an empty MemoryProvider.
func NewMemoryProvider() *MemoryProvider {
	return &MemoryProvider{
		txs: map[string]*payment.Transaction{}, byRequest: map[string]string{},
		refunded: map[string]int64{}, now: time.Now,
	}
}

var (
	_ payment.Provider = (*MemoryProvider)(nil)
	_ payment.Refunder = (*MemoryProvider)(nil)
)

// Create implements [payment.Provider].
func (m *MemoryProvider) Create(ctx context.Context, req payment.CreateRequest) (payment.Transaction, error) {
	if err := m.enter(ctx); err != nil {
		return payment.Transaction{}, err
	}
	if err := checkRequest(req); err != nil {
		return payment.Transaction{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byRequest[req.RequestID]; ok {
		return payment.Transaction{}, fmt.Errorf("paymenttest: request %s: %w", req.RequestID, payment.ErrExists)
	}
	id := uuid.NewString()
	tx := &payment.Transaction{
		ID: id, RequestID: req.RequestID, URL: MemoryProviderURL + "paymenttransaction/" + id,
		RedirectURL: MemoryProviderURL + "pay/" + id, Reference: "KZ-" + id[:8],
		Status: payment.StatePending, Amount: req.Amount, Currency: req.Currency,
	}
	m.txs[id] = tx
	m.byRequest[req.RequestID] = id
	return *tx, nil
}

// Status implements [payment.Provider].
func (m *MemoryProvider) Status(ctx context.Context, transactionID string) (payment.Transaction, error) {
	if err := m.enter(ctx); err != nil {
		return payment.Transaction{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx, ok := m.txs[transactionID]
	if !ok {
		return payment.Transaction{}, fmt.Errorf("paymenttest: transaction %q: %w", transactionID, payment.ErrNotFound)
	}
	return *tx, nil
}

// Refund implements [payment.Refunder].
func (m *MemoryProvider) Refund(ctx context.Context, transactionID string, amount int64) error {
	if err := m.enter(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx, ok := m.txs[transactionID]
	switch {
	case !ok:
		return fmt.Errorf("paymenttest: refund %q: %w", transactionID, payment.ErrNotFound)
	case tx.Status != payment.StatePaid:
		return &payment.FieldError{Field: "transactionId", Reason: "transaction is " + string(tx.Status) + ", not paid"}
	case amount <= 0 || amount > tx.Amount-m.refunded[transactionID]:
		return &payment.FieldError{Field: "amount", Reason: fmt.Sprintf("%s is not between 0.01 and what is left to refund, %s",
			payment.FormatEuro(amount), payment.FormatEuro(tx.Amount-m.refunded[transactionID]))}
	}
	m.refunded[transactionID] += amount
	return nil
}

// Refunded reports how much of a transaction was refunded, in cents.
func (m *MemoryProvider) Refunded(transactionID string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refunded[transactionID]
}

// enter fails when ctx is done or an outage was ordered with [MemoryProvider.Unavailable].
func (m *MemoryProvider) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unavailable > 0 {
		m.unavailable--
		return fmt.Errorf("paymenttest: simulated outage: %w", payment.ErrUnavailable)
	}
	return nil
}

// Unavailable makes the next n calls of Create or Status fail with [payment.ErrUnavailable].
func (m *MemoryProvider) Unavailable(n int) {
	m.mu.Lock()
	m.unavailable = n
	m.mu.Unlock()
}

// Act does what the citizen chooses on the pay page of transaction id. Only a pending
// transaction can be acted on; method is the payment method for [ActionPay] (empty means
// CREDITCARD).
func (m *MemoryProvider) Act(id string, a Action, method payment.Method) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx, ok := m.txs[id]
	if !ok {
		return fmt.Errorf("paymenttest: transaction %q: %w", id, payment.ErrNotFound)
	}
	return act(tx, a, method, m.now())
}

// SetAmount changes the amount the provider holds for transaction id, to test that a
// service notices a tampered amount.
func (m *MemoryProvider) SetAmount(id string, cents int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tx, ok := m.txs[id]; ok {
		tx.Amount = cents
	}
}

func act(tx *payment.Transaction, a Action, method payment.Method, now time.Time) error {
	if tx.Status != payment.StatePending {
		return fmt.Errorf("paymenttest: transaction %s is %s, not pending: %w", tx.ID, tx.Status, payment.ErrInvalid)
	}
	switch a {
	case ActionPay:
		if method == "" {
			method = payment.MethodCreditCard
		}
		if !method.Valid() {
			return fmt.Errorf("paymenttest: payment method %q: %w", method, payment.ErrInvalid)
		}
		tx.Status, tx.Method, tx.PaidAt, tx.Detail = payment.StatePaid, method, now.UTC().Truncate(time.Millisecond), "payment received"
	case ActionCancel:
		tx.Status, tx.Detail = payment.StateCanceled, "canceled by the user"
	case ActionFail:
		tx.Status, tx.Detail = payment.StateFailed, "payment declined"
	default:
		return fmt.Errorf("paymenttest: action %q: %w", a, payment.ErrInvalid)
	}
	tx.RedirectURL = ""
	return nil
}

// checkRequest applies the rules every provider has.
// checkRequest applies every rule an XBezahldienste platform applies (see
// xbezahldienste.Check), so that a request the MemoryProvider takes is one a real platform
// takes too.
func checkRequest(req payment.CreateRequest) error {
	if err := xbezahldienste.Check(req); err != nil {
		return fmt.Errorf("paymenttest: %w", err)
	}
	return nil
}
