// Package evidence handles the evidence (Nachweise) a citizen uploads with an application.
//
// # Requirements
//
// A service states what it needs as [Requirement] values: which document, how many files, which
// media types and how large. The service descriptor in package ozg carries them; this package never
// imports ozg, so the requirement type lives here.
package evidence
