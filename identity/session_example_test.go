package identity_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/ozgkit/ozgkit/identity"
)

// A session lives in a sealed cookie and in a session store; ending it in the store makes the
// cookie worthless, on every replica that shares the store.
func ExampleSessions_End() {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	keys, err := identity.NewKeyring(identity.Key{ID: "2026-11", Secret: secret})
	if err != nil {
		log.Fatal(err)
	}
	// Several replicas would share one store on a database (ozg/sqlstore's db.Sessions()).
	store := identity.NewMemorySessionStore()
	sessions, err := identity.NewSessions(keys, &identity.SessionOptions{Store: store})
	if err != nil {
		log.Fatal(err)
	}

	login := httptest.NewRecorder()
	sess, err := sessions.Start(login, httptest.NewRequest("GET", "/auth/callback", nil),
		&identity.Principal{Subject: "bPK2-ERIKA", Level: identity.LevelSubstantial})
	if err != nil {
		log.Fatal(err)
	}
	cookie := login.Result().Cookies()[0].Value

	_, err = sessions.Decode(context.Background(), cookie)
	fmt.Println("before logout:", err)

	if err := sessions.End(context.Background(), httptest.NewRecorder(), sess); err != nil {
		log.Fatal(err)
	}
	_, err = sessions.Decode(context.Background(), cookie)
	fmt.Println("the same cookie after logout is ended:", errors.Is(err, identity.ErrSessionEnded))
	// Output:
	// before logout: <nil>
	// the same cookie after logout is ended: true
}
