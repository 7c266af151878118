package portal

import (
	"context"
	"errors"
	"fmt"

	"github.com/ozgkit/ozgkit/ozg"
	"github.com/ozgkit/ozgkit/payment"
)

// PaymentFees adapts a payment.Service to the fee seam of ozg.Applications
// (ApplicationsOptions.Fees): payments are started, returned and looked up through it, and a
// paid payment's facts are handed on with the submission exactly as the provider reported them.
func PaymentFees(s *payment.Service) ozg.Fees { return fees{s} }

type fees struct{ s *payment.Service }

func (f fees) StartFee(ctx context.Context, req ozg.FeeRequest) (ozg.FeePayment, error) {
	p, err := f.s.Start(ctx, payment.StartRequest{
		Key: req.Key, ApplicationID: req.ApplicationID, Owner: req.Owner, Amount: req.Amount,
		Currency: req.Currency, Purpose: req.Purpose, Description: req.Description, ReturnURL: req.ReturnURL,
	})
	if err != nil {
		return ozg.FeePayment{}, feeError(err)
	}
	return feePayment(p)
}

func (f fees) FeeReturned(ctx context.Context, applicationID, owner, paymentID string) (ozg.FeePayment, error) {
	p, err := f.s.HandleReturn(ctx, payment.Return{PaymentID: paymentID, ApplicationID: applicationID, Owner: owner})
	if err != nil {
		if p != nil && errors.Is(err, payment.ErrUnavailable) {
			fp, _ := feePayment(p)
			return fp, feeError(err)
		}
		return ozg.FeePayment{}, feeError(err)
	}
	return feePayment(p)
}

func (f fees) PaidFee(ctx context.Context, applicationID, owner string) (ozg.FeePayment, error) {
	p, err := f.s.PaidFor(ctx, applicationID, owner)
	if err != nil {
		return ozg.FeePayment{}, feeError(err)
	}
	return feePayment(p)
}

// feeError adds the ozg sentinel to a payment error, keeping the payment one.
func feeError(err error) error {
	switch {
	case errors.Is(err, payment.ErrNotPaid):
		return fmt.Errorf("%w: %w", ozg.ErrFeeNotPaid, err)
	case errors.Is(err, payment.ErrUnavailable):
		return fmt.Errorf("%w: %w", ozg.ErrFeeUnavailable, err)
	case errors.Is(err, payment.ErrNotFound):
		return fmt.Errorf("%w: %w", ozg.ErrNotFound, err)
	}
	return err
}

func feePayment(p *payment.Payment) (ozg.FeePayment, error) {
	fp := ozg.FeePayment{ID: p.ID, Amount: p.Amount, Currency: p.Currency, RedirectURL: p.RedirectURL}
	switch p.State {
	case payment.StatePaid:
		fp.State = ozg.FeePaid
		f, err := p.Facts()
		if err != nil {
			return fp, err
		}
		fp.Facts = paymentFacts(f)
		fp.RedirectURL = ""
	case payment.StateFailed:
		fp.State = ozg.FeeFailed
	case payment.StateCanceled:
		fp.State = ozg.FeeCanceled
	case payment.StateExpired:
		fp.State = ozg.FeeExpired
	default:
		fp.State = ozg.FeeOpen
	}
	return fp, nil
}

// paymentFacts converts the provider's facts of a paid fee into those a submission carries.
func paymentFacts(f payment.Facts) *ozg.PaymentFacts {
	return &ozg.PaymentFacts{Status: f.Status, Method: string(f.PaymentMethod), MethodDetail: f.PaymentMethodDetail,
		TransactionID: f.TransactionID, TransactionURL: f.TransactionURL, Reference: f.TransactionReference,
		Timestamp: f.TransactionTimestamp, GrossAmount: f.GrossAmount}
}
