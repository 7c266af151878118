package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/mailbox"
)

// The Postfach pages a long list, keeps messages above the login's level locked until a
// step-up login, and shows nobody another citizen's messages or applications.
func TestMailboxPagesAndOwnership(t *testing.T) {
	w := newWorld(t)
	if err := w.idp.SetAutoLogin("lena"); err != nil {
		t.Fatal(err)
	}
	lena := newWebClient(t, w.base)
	begin := lena.get("/leistungen/sperrmuell/antrag")
	draft := lena.submit(begin, "Antrag starten", "", "", nil)
	a, err := w.store.Get(context.Background(), strings.Split(draft.URL.Path, "/")[2])
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 25 {
		if _, err := w.mailbox.Send(ctx, mailbox.Draft{Owner: a.Owner, Kind: mailbox.KindStatus, Status: mailbox.StatusProcessing,
			Subject: fmt.Sprintf("Statusmeldung %02d", i), Body: "In Bearbeitung.", Sender: mailbox.Sender{Name: kiel.Name},
			MinLevel: mailbox.Level(identity.LevelBasic)}); err != nil {
			t.Fatal(err)
		}
	}
	locked, err := w.mailbox.Send(ctx, mailbox.Draft{Owner: a.Owner, Kind: mailbox.KindNotice, Subject: "Bescheid: geheim",
		Body: "Nur mit Online-Ausweis.", Sender: mailbox.Sender{Name: kiel.Name}, MinLevel: mailbox.Level(identity.LevelHigh)})
	if err != nil {
		t.Fatal(err)
	}
	box := lena.get("/postfach")
	box.mustContain(t, 200, "26 ungelesene Nachrichten.", "Gesperrte Nachricht", "hoch (Online-Ausweis)", "Ältere Nachrichten")
	if strings.Contains(box.Body, "Bescheid: geheim") {
		t.Fatal("a locked message's subject is shown")
	}
	older := regexp.MustCompile(`href="(/postfach\?weiter=[^"]+)"`).FindStringSubmatch(box.Body)
	lena.get(strings.ReplaceAll(older[1], "&amp;", "&")).mustContain(t, 200, "Statusmeldung 00")
	lena.get("/postfach?weiter=kaputt").mustContain(t, 200, "Mein Postfach") // a foreign cursor starts at the top

	noRedirect := *lena.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodGet, w.base+"/postfach/"+locked.ID, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/auth/login?level=high&") {
		t.Errorf("a locked message: %d to %q, want a step-up login at high", resp.StatusCode, loc)
	}

	// Another citizen sees none of it.
	if err := w.idp.SetAutoLogin("max"); err != nil {
		t.Fatal(err)
	}
	max := newWebClient(t, w.base)
	max.get("/postfach").mustContain(t, 200, "Ihr Postfach ist leer.")
	max.get("/postfach/"+locked.ID).mustContain(t, 404, "Seite nicht gefunden")
	max.get("/postfach/"+locked.ID+"/anhang/0").mustContain(t, 404, "Seite nicht gefunden")
	max.get("/antraege/"+a.ID+"/angaben/formular").mustContain(t, 404, "Seite nicht gefunden")
	max.get("/antraege/"+a.ID+"/zurueckziehen").mustContain(t, 404, "Seite nicht gefunden")
	max.get("/antraege").mustContain(t, 200, "Sie haben noch keinen Antrag gestellt.")
}
