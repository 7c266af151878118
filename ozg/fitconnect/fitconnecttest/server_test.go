package fitconnecttest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/ozg/fitconnect/fitconnecttest"
)

func TestServerRefusesWhatASubmissionAPIRefuses(t *testing.T) {
	s, err := fitconnecttest.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, secret := s.Credentials()
	tokenOf := func(form url.Values) int {
		resp, err := http.PostForm(s.TokenURL(), form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := tokenOf(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}); c != http.StatusOK {
		t.Errorf("good credentials: %d", c)
	}
	if c := tokenOf(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"wrong"}}); c != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", c)
	}
	if c := tokenOf(url.Values{"grant_type": {"password"}, "client_id": {id}, "client_secret": {secret}}); c != http.StatusBadRequest {
		t.Errorf("password grant: %d", c)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/submissions", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer made-up")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("made-up token: %d", resp.StatusCode)
	}
	if _, err := s.Received("nothing"); err == nil {
		t.Error("Received of an unknown submission")
	}
}
