// Package validate holds ozgkit's configured go-playground validator: JSON field names in error
// paths, the domain rules (slug, leika, ars, mediatype, plz) and plain English messages for them.
package validate

import (
	"fmt"
	"mime"
	"reflect"
	"regexp"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/go-playground/validator/v10"
)

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	leikaRE = regexp.MustCompile(`^99[0-9]{12}$`)
	arsRE   = regexp.MustCompile(`^[0-9]{12}$`)
	plzRE   = regexp.MustCompile(`^[0-9]{5}$`)
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()/-]{3,30}[0-9]$`)
)

// IsSlug reports whether s is a URL-safe slug: lower-case letters and digits in groups joined
// by single hyphens.
func IsSlug(s string) bool { return slugRE.MatchString(s) }

// IsLeikaKey reports whether s is a Leistungsschlüssel: 14 digits starting with 99.
func IsLeikaKey(s string) bool { return leikaRE.MatchString(s) }

// IsARS reports whether s is an Amtlicher Regionalschlüssel of 12 digits whose Land part is one
// of the 16 Länder (01–16).
func IsARS(s string) bool {
	if !arsRE.MatchString(s) {
		return false
	}
	land := (s[0]-'0')*10 + (s[1] - '0')
	return land >= 1 && land <= 16
}

// IsEvidenceMediaType reports whether s is a bare media type (no parameters, lower case) whose
// content the evidence pipeline can recognise by sniffing; a requirement accepting anything else
// could never be met.
func IsEvidenceMediaType(s string) bool {
	mt, params, err := mime.ParseMediaType(s)
	if err != nil || len(params) > 0 || mt != s || !strings.Contains(mt, "/") {
		return false
	}
	m := mimetype.Lookup(mt)
	return m != nil && m.Is(mt)
}

// New returns a validator that names fields by their JSON names and knows the rules slug, leika,
// ars, plz, phone and mediatype. A *validator.Validate is safe for concurrent use; build one and keep it.
func New() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			return f.Name
		case "":
			return f.Name
		}
		return name
	})
	str := func(fn func(string) bool) validator.Func {
		return func(fl validator.FieldLevel) bool {
			return fl.Field().Kind() == reflect.String && fn(fl.Field().String())
		}
	}
	for tag, fn := range map[string]validator.Func{
		"slug":      str(IsSlug),
		"leika":     str(IsLeikaKey),
		"ars":       str(IsARS),
		"plz":       str(plzRE.MatchString),
		"phone":     str(phoneRE.MatchString),
		"mediatype": str(IsEvidenceMediaType),
	} {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(err) // only on a programming error in the tag table above
		}
	}
	return v
}

// Path turns a validator namespace such as "Service.authority.region" into the field path
// "authority.region", dropping the top-level type name.
func Path(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// Message says in plain English what a failed rule wants.
func Message(fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "required":
		return "is required"
	case "slug":
		return "must be a URL-safe slug: lower-case letters and digits joined by single hyphens"
	case "leika":
		return "must be a Leistungsschlüssel of 14 digits starting with 99"
	case "ars":
		return "must be an Amtlicher Regionalschlüssel of 12 digits starting with a Land code 01–16"
	case "plz":
		return "must be a German postal code of 5 digits"
	case "mediatype":
		return "must be a known media type without parameters, such as application/pdf"
	case "phone":
		return "must be a phone number of digits, spaces and ()/-, optionally starting with +"
	case "required_without_all":
		return "is required when none of " + p + " is given"
	case "email":
		return "must be an e-mail address"
	case "url", "http_url":
		return "must be an absolute http(s) URL"
	case "unique":
		if p != "" {
			return fmt.Sprintf("must not repeat an entry's %s", strings.ToLower(p))
		}
		return "must not repeat a value"
	case "min", "gte":
		if isCollection(fe) {
			return fmt.Sprintf("must have at least %s entries", p)
		}
		if isString(fe) {
			return fmt.Sprintf("must be at least %s characters long", p)
		}
		return "must be at least " + p
	case "max", "lte":
		if isCollection(fe) {
			return fmt.Sprintf("must have at most %s entries", p)
		}
		if isString(fe) {
			return fmt.Sprintf("must be at most %s characters long", p)
		}
		return "must be at most " + p
	case "gt":
		return "must be greater than " + p
	case "lt":
		return "must be less than " + p
	case "ltefield":
		return "must not be greater than " + p
	case "gtefield":
		return "must not be less than " + p
	case "oneof":
		return "must be one of " + p
	}
	if p != "" {
		return fmt.Sprintf("fails rule %s=%s", fe.Tag(), p)
	}
	return "fails rule " + fe.Tag()
}

func isCollection(fe validator.FieldError) bool {
	k := fe.Kind()
	return k == reflect.Slice || k == reflect.Map || k == reflect.Array
}

func isString(fe validator.FieldError) bool { return fe.Kind() == reflect.String }
