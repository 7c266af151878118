// Package payment takes the fees (Gebühren) a service charges before submission, through
// payment providers that speak XBezahldienste (ePayBL, pmPayment, ePay21 and others).
//
// payment is a leaf package: it imports nothing else of ozgkit.
package payment
