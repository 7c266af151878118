// Package document writes the PDF documents of a case: the Antragsübersicht (application
// summary: service, Aktenzeichen, date, every answered field with its label, the evidence with
// SHA-512, the payment) and the Bescheid (the authority's decision). It also turns a
// submission's form data into labelled sections ([Answers]), which the case-worker pages show.
//
// # Library and fonts
//
// PDFs are written with codeberg.org/go-pdf/fpdf, the maintained continuation of gofpdf: pure
// Go without cgo, MIT-licensed, PDF 1.4 output that qpdf and poppler accept, and TrueType
// embedding with subsetting for UTF-8 text, so a document carries only the glyphs it uses.
// The fonts are the Go fonts (golang.org/x/image/font/gofont, BSD-licensed): their TTF bytes
// are compiled into the binary, nothing is read from disk, and they cover the WGL4 repertoire,
// which holds ä ö ü ß Ä Ö Ü, the German quotation marks „ “ and the euro sign €.
//
// A document's creation date is its own date (the submission's or the decision's), not the
// clock's.
package document
