package evidence_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ozgkit/ozgkit/ozg/evidence"
)

func ExampleManager_Upload() {
	quiet := slog.New(slog.DiscardHandler)
	m, err := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(),
		evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	if err != nil {
		panic(err)
	}
	rentalContract := evidence.Requirement{
		ID: "mietvertrag", Title: "Mietvertrag", Required: true, MaxCount: 2,
		MediaTypes: []string{"application/pdf"}, MaxSize: 10 << 20,
	}
	e, err := m.Upload(context.Background(), evidence.Upload{
		ApplicationID: "antrag-1", Requirement: rentalContract, FileName: "../Mietvertrag.pdf",
	}, strings.NewReader("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(e.FileName, e.MediaType, e.Size, e.ScanState, e.SHA512[:16])

	_, err = m.Upload(context.Background(), evidence.Upload{
		ApplicationID: "antrag-1", Requirement: rentalContract, FileName: "foto.pdf",
	}, strings.NewReader("<html><script>alert(1)</script></html>"))
	fmt.Println(err)
	// Output:
	// Mietvertrag.pdf application/pdf 36 clean 51dd5411edfa3bb4
	// evidence: media type not accepted: Files with active content (text/html) are not accepted.
}

func ExampleSanitizeFileName() {
	for _, name := range []string{"../../etc/passwd", `C:\Scans\Gehaltsnachweis März.pdf`, "rechnung\u202Efdp.exe", "CON"} {
		fmt.Printf("%q\n", evidence.SanitizeFileName(name))
	}
	// Output:
	// "passwd"
	// "Gehaltsnachweis März.pdf"
	// "rechnungfdp.exe"
	// "_CON"
}

func ExampleHandler_Register() {
	quiet := slog.New(slog.DiscardHandler)
	m, _ := evidence.New(evidence.NewMemoryStore(), evidence.NewMemoryBlobStore(), evidence.NewNoScanner(quiet), &evidence.Options{Logger: quiet})
	// Package ozg supplies both callbacks from its application store and identity sessions.
	apps := evidence.ApplicationsFunc(func(ctx context.Context, owner, id string) (evidence.Application, error) {
		return evidence.Application{}, evidence.ErrNotFound
	})
	owner := func(r *http.Request) (string, bool) { return "", false }
	mux := http.NewServeMux()
	evidence.NewHandler(m, apps, owner, nil).Register(mux, "/api")
	fmt.Println("mounted")
	// Output: mounted
}
