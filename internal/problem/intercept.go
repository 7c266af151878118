package problem

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
)

// maxIntercepted bounds what Intercept keeps of a problem document.
const maxIntercepted = 16 << 10

// Intercept serves r with next and, when next answers with a problem document and an error
// status, hands that to page instead of writing it: status and the document's "type" (at most
// 16 KiB of the document are read). The headers that described the problem document are
// removed first, so page can answer a browser with an HTML page of its own. Any other answer
// passes through unchanged, streamed.
func Intercept(w http.ResponseWriter, r *http.Request, next http.Handler, page func(w http.ResponseWriter, status int, problemType string)) {
	c := &catcher{ResponseWriter: w}
	next.ServeHTTP(c, r)
	if !c.caught {
		return
	}
	var doc struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(c.body.Bytes(), &doc)
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Language", "WWW-Authenticate"} {
		w.Header().Del(k)
	}
	page(w, c.status, doc.Type)
}

// catcher passes an answer through unless it is a problem document with an error status,
// which it keeps (bounded).
type catcher struct {
	http.ResponseWriter
	status int
	caught bool
	wrote  bool
	body   bytes.Buffer
}

func (c *catcher) WriteHeader(status int) {
	if c.wrote {
		return
	}
	c.wrote, c.status = true, status
	ct, _, _ := mime.ParseMediaType(c.Header().Get("Content-Type"))
	if status >= 400 && ct == ContentType {
		c.caught = true
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *catcher) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	if c.caught {
		if room := maxIntercepted - c.body.Len(); room > 0 {
			c.body.Write(p[:min(len(p), room)])
		}
		return len(p), nil
	}
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *catcher) Unwrap() http.ResponseWriter { return c.ResponseWriter }
