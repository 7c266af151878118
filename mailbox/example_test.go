package mailbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/ozgkit/ozgkit/mailbox"
)

func ExampleMailbox() {
	ctx := context.Background()
	mb, err := mailbox.New(mailbox.NewMemoryStore(), mailbox.NewMemoryBlobStore(), nil)
	if err != nil {
		panic(err)
	}
	// The authority sends a Bescheid with a PDF, readable only after an eID login.
	sent, err := mb.Send(ctx, mailbox.Draft{
		Owner:       "bundid-subject-4711",
		Kind:        mailbox.KindNotice,
		Subject:     "Ihr Wohngeldbescheid",
		Body:        "Guten Tag,\n\nanbei erhalten Sie Ihren Bescheid.",
		Sender:      mailbox.Sender{Name: "Stadt Musterstadt, Wohngeldstelle", Reference: "WG-2026-0815"},
		Application: "A-2026-0001",
		MinLevel:    mailbox.LevelHigh,
		Attachments: []mailbox.NewAttachment{
			{Name: "bescheid.pdf", MediaType: "application/pdf", Content: strings.NewReader("%PDF-1.7 ...")},
		},
	})
	if err != nil {
		panic(err)
	}

	// After a login with ELSTER (substantial) the Bescheid is listed but locked.
	elster := mailbox.Citizen{Subject: "bundid-subject-4711", Level: mailbox.LevelSubstantial}
	page, _ := mb.List(ctx, elster, mailbox.ListOptions{})
	fmt.Println("unread:", page.Unread, "locked:", page.Entries[0].Locked)
	_, err = mb.Read(ctx, elster, sent.ID)
	fmt.Println(err)

	// After a login with the eID card it can be read.
	eid := mailbox.Citizen{Subject: "bundid-subject-4711", Level: mailbox.LevelHigh}
	msg, _ := mb.Read(ctx, eid, sent.ID)
	fmt.Println(msg.Subject, "| read:", !msg.Unread())
	a, rc, _ := mb.OpenAttachment(ctx, eid, sent.ID, 0)
	b, _ := io.ReadAll(rc)
	rc.Close()
	fmt.Println(a.Name, a.Size, string(b))
	// Output:
	// unread: 1 locked: true
	// mailbox: trust level high needed to read this message, login has substantial
	// Ihr Wohngeldbescheid | read: true
	// bescheid.pdf 12 %PDF-1.7 ...
}

func ExampleNewHandler() {
	mb, _ := mailbox.New(mailbox.NewMemoryStore(), nil, nil)
	_, _ = mb.Send(context.Background(), mailbox.Draft{
		Owner: "subject-1", Kind: mailbox.KindReceipt, Subject: "Eingangsbestätigung",
		Sender: mailbox.Sender{Name: "Stadt Musterstadt"}, MinLevel: mailbox.LevelLow,
	})
	// The portal supplies who is asking, from its session (here: a fixed citizen).
	citizen := func(r *http.Request) (mailbox.Citizen, error) {
		return mailbox.Citizen{Subject: "subject-1", Level: mailbox.LevelSubstantial}, nil
	}
	srv := httptest.NewServer(mailbox.NewHandler(mb, citizen, nil))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/mailbox")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), `"unread":1`))
	// Output: 200 true
}
