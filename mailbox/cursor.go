package mailbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// A cursor is the position of the last message of a page, signed with HMAC-SHA256 over the
// position, the owner and the filter. A cursor altered, made up, or used by another owner or
// with another filter fails the check, so a citizen cannot steer a listing with it.
//
// Layout before base64url: version (1 byte) | created, Unix microseconds (8 bytes, big endian) |
// id (1 to MaxIDLength bytes) | MAC (32 bytes).

const (
	cursorVersion = 1
	macSize       = sha256.Size
	// maxCursorLength bounds the text of a cursor before it is decoded.
	maxCursorLength = 4 * (1 + 8 + MaxIDLength + macSize + 2) / 3
)

func cursorMAC(key []byte, owner string, f Filter, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	// Length-prefixed fields, so no two inputs share an encoding.
	for _, s := range []string{"ozgkit mailbox cursor", owner, f.Application, string(f.Kind)} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	h.Write(payload)
	return h.Sum(nil)
}

func encodeCursor(key []byte, owner string, f Filter, p Position) string {
	b := make([]byte, 0, 1+8+len(p.ID)+macSize)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(p.Created.UnixMicro()))
	b = append(b, p.ID...)
	b = append(b, cursorMAC(key, owner, f, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(key []byte, owner string, f Filter, s string) (Position, error) {
	if len(s) > maxCursorLength {
		return Position{}, fmt.Errorf("%w: too long", ErrBadCursor)
	}
	// encoding/base64 skips CR and LF inside its input; a cursor is accepted only in the one
	// spelling encodeCursor writes.
	if strings.ContainsAny(s, "\r\n") {
		return Position{}, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return Position{}, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	if len(b) < 1+8+1+macSize || b[0] != cursorVersion {
		return Position{}, fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	payload, mac := b[:len(b)-macSize], b[len(b)-macSize:]
	if !hmac.Equal(mac, cursorMAC(key, owner, f, payload)) {
		return Position{}, fmt.Errorf("%w: signature does not match", ErrBadCursor)
	}
	id := string(payload[9:])
	if !validID(id) {
		return Position{}, fmt.Errorf("%w: malformed id", ErrBadCursor)
	}
	created := time.UnixMicro(int64(binary.BigEndian.Uint64(payload[1:9]))).UTC()
	return Position{Created: created, ID: id}, nil
}
