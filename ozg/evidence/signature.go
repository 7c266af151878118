package evidence

import (
	"bytes"
)

// Active content (HTML, SVG, XHTML, XSLT, script) is looked for in the head of every upload
// before its type is sniffed, because a sniffer that finds a signature anywhere in the first
// KiB (PDF's "%PDF-", for one) would otherwise call an HTML page a PDF.

// activeMarkers are the starts of markup a browser or viewer may run script from (lower
// case), with the kind of content they stand for. A marker counts in the text before the
// first NUL byte: binary formats (images, compressed streams) have NUL bytes within their
// first few header bytes, text and markup have none.
var activeMarkers = []struct{ marker, kind string }{
	{"<!doctype html", "text/html"}, {"<html", "text/html"}, {"<head", "text/html"}, {"<body", "text/html"},
	{"<script", "text/html"}, {"<iframe", "text/html"}, {"<frame", "text/html"}, {"<object", "text/html"},
	{"<embed", "text/html"}, {"<applet", "text/html"}, {"<img", "text/html"}, {"<style", "text/html"},
	{"<link", "text/html"}, {"<meta", "text/html"}, {"<base", "text/html"}, {"<form", "text/html"},
	{"<a href", "text/html"}, {"www.w3.org/1999/xhtml", "application/xhtml+xml"},
	{"<svg", "image/svg+xml"}, {"www.w3.org/2000/svg", "image/svg+xml"}, {"<math", "application/mathml+xml"},
	{"<?xml-stylesheet", "application/xslt+xml"}, {"<xsl:", "application/xslt+xml"}, {"www.w3.org/1999/xsl", "application/xslt+xml"},
	{"javascript:", "text/javascript"}, {"vbscript:", "text/vbscript"},
}

// activeContentIn reports the kind of active content found in head, or "" when there is none. A UTF-16 byte
// order mark makes the rest be read as UTF-16 first, as browsers do.
func activeContentIn(head []byte) string {
	text := head
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		text = utf16Low(head[2:], 0)
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		text = utf16Low(head[2:], 1)
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	lower := bytes.ToLower(text)
	for _, m := range activeMarkers {
		if bytes.Contains(lower, []byte(m.marker)) {
			return m.kind
		}
	}
	return ""
}

// utf16Low keeps the byte at offset low of each UTF-16 code unit and drops the unit when its
// other byte is not zero (a character beyond Latin-1 cannot start a marker).
func utf16Low(b []byte, low int) []byte {
	out := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1-low] == 0 {
			out = append(out, b[i+low])
		} else {
			out = append(out, ' ')
		}
	}
	return out
}

// signature is one way a file format starts: prefix at offset.
type signature struct {
	offset int
	prefix string
}

// signatures lists, for the formats evidence is usually asked in, where their magic bytes must
// stand. A sniffed type listed here is accepted only when one of its signatures is where the
// format puts it; types not listed rely on the sniffer alone.
var signatures = map[string][]signature{
	"application/pdf": {{0, "%PDF-"}},
	"image/jpeg":      {{0, "\xff\xd8\xff"}},
	"image/png":       {{0, "\x89PNG\r\n\x1a\n"}},
	"image/gif":       {{0, "GIF87a"}, {0, "GIF89a"}},
	"image/tiff":      {{0, "II*\x00"}, {0, "MM\x00*"}},
	"image/webp":      {{8, "WEBP"}},
	"image/bmp":       {{0, "BM"}},
	"image/heic":      {{4, "ftyp"}},
	"image/heif":      {{4, "ftyp"}},
	"application/zip": {{0, "PK\x03\x04"}},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {{0, "PK\x03\x04"}},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {{0, "PK\x03\x04"}},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {{0, "PK\x03\x04"}},
	"application/vnd.oasis.opendocument.text":                                   {{0, "PK\x03\x04"}},
	"application/vnd.oasis.opendocument.spreadsheet":                            {{0, "PK\x03\x04"}},
}

// hasSignature reports whether head starts as mediaType's format requires; true for types
// without a listed signature. RIFF-based WebP also needs "RIFF" at offset 0.
func hasSignature(head []byte, mediaType string) bool {
	sigs, ok := signatures[mediaType]
	if !ok {
		return true
	}
	if mediaType == "image/webp" && !bytes.HasPrefix(head, []byte("RIFF")) {
		return false
	}
	for _, s := range sigs {
		if len(head) >= s.offset+len(s.prefix) && string(head[s.offset:s.offset+len(s.prefix)]) == s.prefix {
			return true
		}
	}
	return false
}
