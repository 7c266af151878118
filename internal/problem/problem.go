// Package problem writes RFC 7807 (RFC 9457) problem details, application/problem+json, the
// error format of every ozgkit HTTP handler.
package problem

import (
	"encoding/json"
	"net/http"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// FieldError names one field of the request that is wrong.
type FieldError struct {
	// Pointer is the JSON pointer (RFC 6901) of the field in the request document, or the form
	// field's name for multipart and form requests.
	Pointer string `json:"pointer"`
	// Code is a stable, machine-readable reason, e.g. "required" or "maxLength".
	Code string `json:"code,omitempty"`
	// Message says in German what is wrong, for the citizen.
	Message string `json:"message"`
	// MessageEN says it in English.
	MessageEN string `json:"messageEn,omitempty"`
}

// Details is a problem document. Type defaults to "about:blank" and Title to the status text.
type Details struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Errors   []FieldError   `json:"errors,omitempty"`
	Extra    map[string]any `json:"-"`
}

// MarshalJSON adds the extension members of Extra beside the standard members.
func (d Details) MarshalJSON() ([]byte, error) {
	type plain Details
	if len(d.Extra) == 0 {
		return json.Marshal(plain(d))
	}
	m := make(map[string]any, len(d.Extra)+6)
	for k, v := range d.Extra {
		m[k] = v
	}
	b, err := json.Marshal(plain(d))
	if err != nil {
		return nil, err
	}
	var std map[string]any
	if err := json.Unmarshal(b, &std); err != nil {
		return nil, err
	}
	for k, v := range std {
		m[k] = v
	}
	return json.Marshal(m)
}

// Write sends d with its status code. Missing Type, Title and Status are filled in
// (Status defaults to 500).
func Write(w http.ResponseWriter, d Details) {
	if d.Status == 0 {
		d.Status = http.StatusInternalServerError
	}
	if d.Type == "" {
		d.Type = "about:blank"
	}
	if d.Title == "" {
		d.Title = http.StatusText(d.Status)
	}
	if d.Instance == "" {
		// The portal gives every request an id and sets it on the answer before any handler
		// runs: the problem names it, so a citizen's report finds the log line.
		if id := w.Header().Get(RequestIDHeader); id != "" {
			d.Instance = InstancePrefix + id
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		d.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	_, _ = w.Write(append(b, '\n'))
}

// RequestIDHeader is the answer header that carries the request's id; InstancePrefix makes
// it a problem document's "instance".
const (
	RequestIDHeader = "X-Request-Id"
	InstancePrefix  = "urn:ozgkit:request:"
)

// Error sends a problem with only a status and a detail text.
func Error(w http.ResponseWriter, status int, detail string) {
	Write(w, Details{Status: status, Detail: detail})
}
