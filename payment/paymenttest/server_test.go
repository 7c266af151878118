package paymenttest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/payment"
	"github.com/ozgkit/ozgkit/payment/paymenttest"
)

const validRequest = `{"requestId":"r-1","requestTimestamp":"2026-05-01T10:00:00.000Z","currency":"EUR",
"grosAmount":25.50,"purpose":"Gebuehr","description":"Parken, Zone Ä","redirectUrl":"https://portal.example/back",
"items":[{"id":"1","reference":"app-1","taxRate":0,"quantity":1,"totalNetAmount":25.50,"totalTaxAmount":0,
"singleNetAmount":25.50,"singleTaxAmount":0}]}`

func post(t *testing.T, srv *httptest.Server, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestTheServerRefusesWhatAStrictPlatformRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, path, contentType, body string
		status                        int
		code                          string
	}{
		{"an unknown field", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"currency"`, `"colour":"red","currency"`, 1), 400, "VALIDATION_ERROR"},
		{"a form instead of JSON", "/paymenttransaction/ozgkit/test", "application/x-www-form-urlencoded", "a=b", 415, "VALIDATION_ERROR"},
		{"items that do not add up to grosAmount", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"grosAmount":25.50`, `"grosAmount":30.00`, 1), 400, "CALCULATION_ERROR"},
		{"no items", "/paymenttransaction/ozgkit/test", "application/json", regexp.MustCompile(`(?s),\s*"items":\[.*\]`).ReplaceAllString(validRequest, ""), 400, "VALIDATION_ERROR"},
		{"a float amount with three decimals", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"grosAmount":25.50`, `"grosAmount":25.505`, 1), 400, "VALIDATION_ERROR"},
		{"a timestamp without milliseconds", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `10:00:00.000Z`, `10:00:00Z`, 1), 400, "VALIDATION_ERROR"},
		{"a purpose with umlauts", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"Gebuehr"`, `"Gebühr"`, 1), 400, "VALIDATION_ERROR"},
		{"an unknown endpoint", "/paymenttransaction/ozgkit/other", "application/json", validRequest, 404, "NO_VALID_ORIGINATOR_OR_ENDPOINT"},
		{"a body above the limit", "/paymenttransaction/ozgkit/test", "application/json", strings.Repeat(" ", paymenttest.MaxRequestSize+1), 413, "VALIDATION_ERROR"},
		{"an originator with a dot", "/paymenttransaction/kiel.de/test", "application/json", validRequest, 400, "VALIDATION_ERROR"},
		{"an endpoint of 37 characters", "/paymenttransaction/ozgkit/" + strings.Repeat("e", 37), "application/json", validRequest, 400, "VALIDATION_ERROR"},
		{"a description with parentheses", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"Parken, Zone Ä"`, `"Parken (Zone Ä)"`, 1), 400, "VALIDATION_ERROR"},
		{"a description with a colon and a slash", "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"Parken, Zone Ä"`, `"AZ: 12/2026"`, 1), 400, "VALIDATION_ERROR"},
		{"a grosAmount of 999999.50", "/paymenttransaction/ozgkit/test", "application/json", strings.NewReplacer(`25.50`, `999999.50`).Replace(validRequest), 400, "VALIDATION_ERROR"},
		{"100 items", "/paymenttransaction/ozgkit/test", "application/json", hundredItems(), 400, "VALIDATION_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(paymenttest.NewServer(nil))
			defer srv.Close()
			status, doc := post(t, srv, tc.path, tc.contentType, tc.body)
			if status != tc.status || doc["functionalCode"] != tc.code {
				t.Errorf("got %d %v, want %d %s", status, doc, tc.status, tc.code)
			}
		})
	}
}

// hundredItems is validRequest with 100 items of 0.01 adding up to grosAmount 1.00.
func hundredItems() string {
	item := `{"id":"i","taxRate":0,"quantity":1,"totalNetAmount":0.01,"totalTaxAmount":0,"singleNetAmount":0.01,"singleTaxAmount":0}`
	items := strings.TrimSuffix(strings.Repeat(item+",", 100), ",")
	r := regexp.MustCompile(`(?s)"items":\[.*\]`).ReplaceAllString(validRequest, `"items":[`+items+`]`)
	return strings.Replace(r, `"grosAmount":25.50`, `"grosAmount":1.00`, 1)
}

func TestTheServerAcceptsWhatThePublishedAPIAllows(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"a purpose with an underscore", strings.Replace(validRequest, `"Gebuehr"`, `"AZ_2026_1 Gebuehr"`, 1)},
		{"a grosAmount of 999999.00", strings.NewReplacer(`25.50`, `999999.00`).Replace(validRequest)},
		{"a description with umlauts, comma and dot", strings.Replace(validRequest, `"Parken, Zone Ä"`, `"Gebühr für Straße Nr. 1, Łódź"`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(paymenttest.NewServer(nil))
			defer srv.Close()
			if status, doc := post(t, srv, "/paymenttransaction/ozgkit/test", "application/json", tc.body); status != http.StatusCreated {
				t.Errorf("got %d %v, want 201", status, doc)
			}
		})
	}
}

func TestTheServerAnswersTheStatusOfItsConfiguration(t *testing.T) {
	srv := httptest.NewServer(paymenttest.NewServer(&paymenttest.ServerOptions{BearerToken: "t"}))
	defer srv.Close()
	get := func(path, token string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if status, _ := get("/status/ozgkit/test", "t"); status != http.StatusOK {
		t.Errorf("ready: %d, want 200", status)
	}
	if status, doc := get("/status/ozgkit/test", ""); status != http.StatusForbidden || doc["functionalCode"] != "FORBIDDEN" {
		t.Errorf("no token: %d %v, want 403 FORBIDDEN", status, doc)
	}
	if status, doc := get("/status/other/test", "t"); status != http.StatusForbidden || doc["functionalCode"] != "NO_VALID_ORIGINATOR_OR_ENDPOINT" {
		t.Errorf("unknown originator: %d %v, want 403 NO_VALID_ORIGINATOR_OR_ENDPOINT", status, doc)
	}
}

func TestTheServersProblemsCarryAFunctionalTextOfThePublishedPattern(t *testing.T) {
	srv := httptest.NewServer(paymenttest.NewServer(nil))
	defer srv.Close()
	_, doc := post(t, srv, "/paymenttransaction/ozgkit/test", "application/json", strings.Replace(validRequest, `"Parken, Zone Ä"`, `"Parken (Zone Ä)"`, 1))
	text, _ := doc["functionalText"].(string)
	if text == "" || !regexp.MustCompile(`^[\w\s,.\x{00C0}-\x{017F}-]+$`).MatchString(text) || len([]rune(text)) > 2000 || !strings.Contains(text, "description") {
		t.Errorf("functionalText = %q", text)
	}
}

func TestTheMemoryProviderRefusesWhatAPlatformRefuses(t *testing.T) {
	m := paymenttest.NewMemoryProvider()
	req := payment.CreateRequest{RequestID: "r-1", Amount: 2550, Currency: "EUR", Purpose: "Gebuehr",
		Description: "Parken (Zone A)", ReturnURL: "https://portal.example/back"}
	if _, err := m.Create(context.Background(), req); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("description with parentheses: err = %v, want ErrInvalid", err)
	}
	req.Description, req.Amount = "Parken", 99999950
	if _, err := m.Create(context.Background(), req); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("999999.50: err = %v, want ErrInvalid", err)
	}
}

func TestTheServerKeepsTransactionsAndRefusesAReusedRequestID(t *testing.T) {
	srv := httptest.NewServer(paymenttest.NewServer(nil))
	defer srv.Close()
	status, doc := post(t, srv, "/paymenttransaction/ozgkit/test", "application/json", validRequest)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, doc)
	}
	pi := doc["paymentInformation"].(map[string]any)
	if pi["status"] != "INITIAL" || pi["transactionRedirectUrl"] == nil || pi["transactionId"] == "" {
		t.Errorf("paymentInformation = %v", pi)
	}
	status, doc = post(t, srv, "/paymenttransaction/ozgkit/test", "application/json", validRequest)
	if status != http.StatusConflict || doc["functionalCode"] != "PAYMENT_EXISTS" {
		t.Errorf("second create: %d %v, want 409 PAYMENT_EXISTS", status, doc)
	}
	resp, err := srv.Client().Get(srv.URL + "/paymenttransaction/ozgkit/test/" + pi["transactionId"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != 200 || got["paymentInformation"].(map[string]any)["status"] != "INITIAL" {
		t.Errorf("status: %d %v", resp.StatusCode, got)
	}
}

func createTx(t *testing.T, srv *httptest.Server) (payURL string) {
	t.Helper()
	_, doc := post(t, srv, "/paymenttransaction/ozgkit/test", "application/json", validRequest)
	return doc["paymentInformation"].(map[string]any)["transactionRedirectUrl"].(string)
}

func TestThePayPageIsAccessible(t *testing.T) {
	srv := httptest.NewServer(paymenttest.NewServer(nil))
	defer srv.Close()
	resp, err := srv.Client().Get(createTx(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{
		`<html lang="de">`, `<title>`, `<main>`, `<h1>`, `<legend>Zahlart</legend>`,
		`<label for="method-CREDITCARD">`, `id="method-CREDITCARD"`,
		`<button type="submit" class="primary" name="action" value="pay">25,50 EUR bezahlen</button>`,
		`value="cancel">Zahlung abbrechen</button>`, `value="fail">`, `:focus-visible`,
		`Parken, Zone Ä`, // the description is shown
	} {
		if !strings.Contains(page, want) {
			t.Errorf("pay page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("pay page has script")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	// Every input has a label.
	for _, m := range regexp.MustCompile(`<input type="radio" id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `<label for="`+m[1]+`">`) {
			t.Errorf("input %s has no label", m[1])
		}
	}
}

func TestThePayPageRefusesAPostWithoutItsToken(t *testing.T) {
	srv := httptest.NewServer(paymenttest.NewServer(nil))
	defer srv.Close()
	payURL := createTx(t, srv)
	resp, err := srv.Client().PostForm(payURL, url.Values{"action": {"pay"}, "token": {"guessed"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
	// Still payable with the real form.
	back, err := (&paymenttest.Citizen{Client: srv.Client()}).Choose(context.Background(), payURL, paymenttest.ActionPay, payment.MethodPayPal)
	if err != nil || back != "https://portal.example/back" {
		t.Errorf("Choose = %q, %v", back, err)
	}
}

func TestTheServerMountsBelowAPrefix(t *testing.T) {
	mux := http.NewServeMux()
	var base string
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base = srv.URL + "/platform/"
	mux.Handle("/platform/", http.StripPrefix("/platform", paymenttest.NewServer(&paymenttest.ServerOptions{BaseURL: base})))
	_, doc := post(t, srv, "/platform/paymenttransaction/ozgkit/test", "application/json", validRequest)
	payURL := doc["paymentInformation"].(map[string]any)["transactionRedirectUrl"].(string)
	if !strings.HasPrefix(payURL, base+"pay/") {
		t.Fatalf("pay page %q is not below %s", payURL, base)
	}
	if _, err := (&paymenttest.Citizen{}).Choose(context.Background(), payURL, paymenttest.ActionCancel, ""); err != nil {
		t.Error(err)
	}
}
