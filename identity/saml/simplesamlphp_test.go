package saml_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/identity/identitytest"
	"github.com/ozgkit/ozgkit/identity/saml"
	"github.com/ozgkit/ozgkit/identity/samltest"
)

// TestLoginThroughSimpleSAMLphp logs in at a real, independent SAML IdP: SimpleSAMLphp,
// configured here as a BundID-like IdP (the BundID attribute OIDs, the STORK level as
// AuthnContextClassRef, signed responses and assertions, assertions encrypted with RSA-OAEP
// and AES-128-CBC) and run with PHP's built-in server on loopback.
func TestLoginThroughSimpleSAMLphp(t *testing.T) {
	ssp := startSimpleSAMLphp(t)
	for _, tt := range []struct {
		name    string
		binding saml.Binding
		user    string
		level   identity.Level
		want    identity.Level
		tooLow  bool
		subject string
		given   string
	}{
		{"lena with username and password at basic", saml.BindingRedirect, "lena", identity.LevelBasic, identity.LevelBasic, false, "bPK2-LENA-90dd11", ""},
		{"max with his ELSTER certificate at substantial", saml.BindingRedirect, "max", identity.LevelSubstantial, identity.LevelSubstantial, false, "bPK2-MAX-21be04", "Max"},
		{"max at substantial with the request sent by HTTP-POST", saml.BindingPOST, "max", identity.LevelSubstantial, identity.LevelSubstantial, false, "bPK2-MAX-21be04", "Max"},
		{"lena asked for substantial is refused", saml.BindingRedirect, "lena", identity.LevelSubstantial, identity.LevelNone, true, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sp := ssp.serviceProvider(t, tt.binding)
			rec := httptest.NewRecorder()
			if err := sp.BeginLogin(rec, httptest.NewRequest("GET", "/auth/login", nil), tt.level, "/antrag/1"); err != nil {
				t.Fatal(err)
			}
			cookies := rec.Result().Cookies()
			client := browser(t)
			var first *http.Response
			var err error
			if rec.Code == http.StatusFound {
				first, err = client.Get(rec.Header().Get("Location"))
			} else {
				var req *samltest.Form
				if req, err = samltest.ParseForm(rec.Body, &url.URL{Scheme: "https", Host: "portal.example"}, "SAMLRequest"); err != nil {
					t.Fatal(err)
				}
				first, err = req.Submit(client)
			}
			if err != nil {
				t.Fatal(err)
			}
			form := ssp.login(t, client, first, tt.user)
			raw, _ := base64.StdEncoding.DecodeString(form.Fields.Get("SAMLResponse"))
			if !bytes.Contains(raw, []byte("EncryptedAssertion")) || !bytes.Contains(raw, []byte("xmlenc#aes128-cbc")) || !bytes.Contains(raw, []byte("rsa-oaep-mgf1p")) {
				t.Fatalf("SimpleSAMLphp sent no RSA-OAEP/AES-128-CBC encrypted assertion: %s", tail(string(raw), 800))
			}
			p, ret, err := (&fixture{sp: sp}).finish(form.Fields, cookies)
			if tt.tooLow {
				if !errors.Is(err, identity.ErrLevelTooLow) {
					t.Fatalf("%v, want ErrLevelTooLow", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Level != tt.want || p.Subject != tt.subject || p.GivenNames != tt.given || ret != "/antrag/1" || p.Issuer != ssp.entityID {
				t.Fatalf("principal %+v, returnTo %q", p, ret)
			}
		})
	}
}

func TestSimpleSAMLphpRefusesAnAuthnRequestWhoseSignatureDoesNotVerify(t *testing.T) {
	ssp := startSimpleSAMLphp(t)
	loc, _ := (&fixture{sp: ssp.serviceProvider(t, saml.BindingRedirect)}).begin(t, nil, identity.LevelBasic)
	i := strings.Index(loc, "&Signature=")
	sig, err := base64.StdEncoding.DecodeString(mustUnescape(t, loc[i+len("&Signature="):]))
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)/2] ^= 1
	resp, err := browser(t).Get(loc[:i] + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig)))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if bytes.Contains(page, []byte(`name="username"`)) || bytes.Contains(page, []byte("SAMLResponse")) {
		t.Fatalf("SimpleSAMLphp went on with a request whose signature was changed: %s", tail(string(page), 800))
	}
}

func mustUnescape(t *testing.T, s string) string {
	v, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type simpleSAMLphp struct {
	base     string
	dir      string
	metadata []byte
	entityID string
	spKeys   keySet
}

// startSimpleSAMLphp writes a configuration to a temporary directory and serves the
// installation named by OZGKIT_TEST_SIMPLESAMLPHP on a free loopback port, or skips.
func startSimpleSAMLphp(t *testing.T) *simpleSAMLphp {
	t.Helper()
	root := os.Getenv("OZGKIT_TEST_SIMPLESAMLPHP")
	if root == "" {
		t.Skip("OZGKIT_TEST_SIMPLESAMLPHP is not set: install SimpleSAMLphp and php-cli (.ci/setup.d/simplesamlphp.sh does, on Debian: apt-get install simplesamlphp php-cli) and set it to the installation, e.g. /usr/share/simplesamlphp")
	}
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php is not installed (apt-get install php-cli): the SimpleSAMLphp interop test needs PHP's built-in server")
	}
	if _, err := os.Stat(filepath.Join(root, "www", "saml2", "idp", "SSOService.php")); err != nil {
		t.Skipf("OZGKIT_TEST_SIMPLESAMLPHP=%s holds no SimpleSAMLphp installation (www/saml2/idp/SSOService.php): %v", root, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &simpleSAMLphp{base: "http://" + addr, dir: t.TempDir(), spKeys: testKeys(t)}
	s.writeConfig(t)

	cmd := exec.Command(php, "-S", addr, "-t", filepath.Join(root, "www"))
	cmd.Env = append(os.Environ(), "SIMPLESAMLPHP_CONFIG_DIR="+filepath.Join(s.dir, "config"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("php -S output:\n%s", tail(out.String(), 4000))
			if b, err := os.ReadFile(filepath.Join(s.dir, "log", "simplesamlphp.log")); err == nil {
				t.Logf("SimpleSAMLphp log:\n%s", tail(string(b), 4000))
			}
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.base + "/saml2/idp/metadata.php?output=xml")
		if err == nil {
			s.metadata, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(s.metadata, []byte("EntityDescriptor")) {
				break
			}
			err = fmt.Errorf("status %d: %s", resp.StatusCode, tail(string(s.metadata), 500))
		}
		if time.Now().After(deadline) {
			t.Fatalf("SimpleSAMLphp did not serve its metadata: %v\n%s", err, tail(out.String(), 2000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.entityID = s.base + "/saml2/idp/metadata.php"
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (s *simpleSAMLphp) serviceProvider(t *testing.T, b saml.Binding) *saml.ServiceProvider {
	t.Helper()
	sp, err := saml.New(saml.Config{
		EntityID: "https://portal.example/saml/metadata", ACSURL: acsURL, IdPMetadata: s.metadata,
		Key: s.spKeys.sp, Certificate: s.spKeys.spCert, Binding: b,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// login plays the browser from SimpleSAMLphp's answer to the AuthnRequest: its username and
// password form, and the page that posts the response back.
func (s *simpleSAMLphp) login(t *testing.T, client *http.Client, resp *http.Response, user string) *samltest.Form {
	t.Helper()
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SimpleSAMLphp answered the AuthnRequest with %d: %s", resp.StatusCode, tail(string(page), 1500))
	}
	form, err := samltest.ParseForm(bytes.NewReader(page), resp.Request.URL, "username")
	if err != nil {
		t.Fatalf("%v: %s", err, tail(string(page), 1500))
	}
	form.Fields.Set("username", user)
	form.Fields.Set("password", user+"-pw")
	resp, err = form.Submit(client)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	answer, err := samltest.ParseForm(bytes.NewReader(page), resp.Request.URL, "SAMLResponse")
	if err != nil {
		t.Fatalf("%v (status %d): %s", err, resp.StatusCode, tail(string(page), 1500))
	}
	return answer
}

func (s *simpleSAMLphp) writeConfig(t *testing.T) {
	t.Helper()
	d := s.dir
	for _, sub := range []string{"config", "metadata", "cert", "log", "data", "tmp", "sessions"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	idpKey, idpCert, err := samltest.NewKeyPair("SimpleSAMLphp test IdP", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(idpKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, body []byte) {
		if err := os.WriteFile(filepath.Join(d, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("cert/idp.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	write("cert/idp.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idpCert.Raw}))

	write("config/config.php", []byte(`<?php
$config = [
    'baseurlpath' => '`+s.base+`/',
    'certdir' => '`+d+`/cert/',
    'loggingdir' => '`+d+`/log/',
    'datadir' => '`+d+`/data/',
    'tempdir' => '`+d+`/tmp',
    'secretsalt' => '`+randomHex(16)+`',
    'auth.adminpassword' => '`+randomHex(16)+`',
    'admin.protectindexpage' => false,
    'technicalcontact_name' => 'ozgkit test',
    'technicalcontact_email' => 'test@example.org',
    'timezone' => 'UTC',
    'logging.level' => SimpleSAML\Logger::WARNING,
    'logging.handler' => 'file',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => '`+d+`/sessions',
    'session.cookie.secure' => false,
    'language.default' => 'en',
    'metadata.sources' => [['type' => 'flatfile', 'directory' => '`+d+`/metadata']],
];
`))
	var users strings.Builder
	for _, u := range []struct {
		id, level string
	}{{"lena", "STORK-QAA-Level-1"}, {"max", "STORK-QAA-Level-3"}} {
		fmt.Fprintf(&users, "        '%s:%s-pw' => [\n", u.id, u.id)
		for _, ps := range identitytest.DefaultPersonas() {
			if ps.ID != u.id {
				continue
			}
			for k, v := range ps.Claims {
				if s, ok := v.(string); ok {
					fmt.Fprintf(&users, "            %s => [%s],\n", phpString(k), phpString(s))
				}
			}
		}
		fmt.Fprintf(&users, "            %s => [%s],\n        ],\n", phpString(identity.ClaimTrustLevel), phpString(u.level))
	}
	write("config/authsources.php", []byte(`<?php
$config = [
    'admin' => ['core:AdminPassword'],
    'bundid-test' => [
        'exampleauth:UserPass',
`+users.String()+`    ],
];
`))
	write("metadata/saml20-idp-hosted.php", []byte(`<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'bundid-test',
    'SingleSignOnServiceBinding' => ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'],
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'authproc' => [
        90 => ['class' => 'core:PHP', 'code' => '$state["saml:AuthnContextClassRef"] = $attributes["`+identity.ClaimTrustLevel+`"][0];'],
    ],
];
`))
	spCert := base64.StdEncoding.EncodeToString(s.spKeys.spCert.Raw)
	write("metadata/saml20-sp-remote.php", []byte(`<?php
$metadata['https://portal.example/saml/metadata'] = [
    'AssertionConsumerService' => [['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => '`+acsURL+`']],
    'keys' => [['encryption' => true, 'signing' => true, 'type' => 'X509Certificate', 'X509Certificate' => '`+spCert+`']],
    'validate.authnrequest' => true,
    'assertion.encryption' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
];
`))
}

func phpString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
