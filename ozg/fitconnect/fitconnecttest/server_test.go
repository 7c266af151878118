package fitconnecttest_test

import (
	"encoding/json"
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

func TestServerChecksTheSubmissionFlow(t *testing.T) {
	s, err := fitconnecttest.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, secret := s.Credentials()
	resp, err := http.PostForm(s.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	call := func(method, path, contentType, body string) (int, map[string]string) {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]string{}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	att := "5b2e5a2c-2f43-4b39-9a0c-1f5d3c9a8e11"
	code, created := call(http.MethodPost, "/v1/submissions", "application/json",
		`{"destinationId":"`+s.DestinationID()+`","announcedAttachments":["`+att+`"],"serviceType":{"identifier":"urn:de:fim:leika:leistung:99107004017000"}}`)
	if code != http.StatusCreated || created["submissionId"] == "" || created["caseId"] == "" {
		t.Fatalf("announce: %d %v", code, created)
	}
	sub := "/v1/submissions/" + created["submissionId"]
	cases := []struct {
		name, method, path, contentType, body string
		want                                  int
	}{
		{"an announcement with a repeated attachment id", http.MethodPost, "/v1/submissions", "application/json",
			`{"destinationId":"` + s.DestinationID() + `","announcedAttachments":["` + att + `","` + att + `"],"serviceType":{"identifier":"urn:x:y"}}`, http.StatusUnprocessableEntity},
		{"an announcement for another destination", http.MethodPost, "/v1/submissions", "application/json",
			`{"destinationId":"11111111-2222-4333-8444-555555555555","announcedAttachments":[],"serviceType":{"identifier":"urn:x:y"}}`, http.StatusNotFound},
		{"an attachment that was not announced", http.MethodPut, sub + "/attachments/11111111-2222-4333-8444-555555555555", "application/jose", "a.b.c.d.e", http.StatusNotFound},
		{"an attachment that is not application/jose", http.MethodPut, sub + "/attachments/" + att, "application/pdf", "a.b.c.d.e", http.StatusUnsupportedMediaType},
		{"an attachment that is not a JWE", http.MethodPut, sub + "/attachments/" + att, "application/jose", "plain text", http.StatusBadRequest},
		{"a submit before the announced attachment came", http.MethodPut, sub, "application/json", `{"encryptedMetadata":"a.b.c.d.e","encryptedData":"a.b.c.d.e"}`, http.StatusUnprocessableEntity},
		{"a submit with unknown fields", http.MethodPut, sub, "application/json", `{"encryptedMetadata":"a","x":1}`, http.StatusBadRequest},
	}
	for _, c := range cases {
		if code, _ := call(c.method, c.path, c.contentType, c.body); code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	// Garbage that looks like JWEs is taken by the delivery service and rejected by the subscriber.
	if code, _ := call(http.MethodPut, sub+"/attachments/"+att, "application/jose", "a.b.c.d.e"); code != http.StatusNoContent {
		t.Fatalf("upload: %d", code)
	}
	if code, _ := call(http.MethodPut, sub, "application/json", `{"encryptedMetadata":"a.b.c.d.e","encryptedData":"a.b.c.d.e"}`); code != http.StatusAccepted {
		t.Fatalf("submit: %d", code)
	}
	if _, err := s.Received(created["submissionId"]); err == nil {
		t.Error("the subscriber accepted garbage")
	}
	if code, _ := call(http.MethodPut, sub, "application/json", `{"encryptedMetadata":"a.b.c.d.e"}`); code != http.StatusConflict {
		t.Errorf("second submit: %d", code)
	}
}
