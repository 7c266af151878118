package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	de_translations "github.com/go-playground/validator/v10/translations/de"
	en_translations "github.com/go-playground/validator/v10/translations/en"
)

// Validator tags for the German formats, usable in `validate:"..."` struct tags of types given
// to Decode, e.g. `validate:"required,iban"`.
var validatorTags = map[string]struct {
	check  func(string) bool
	de, en string
}{
	"iban":      {ValidIBAN, "{0} muss eine gültige IBAN sein", "{0} must be a valid IBAN"},
	"steuer_id": {ValidSteuerID, "{0} muss eine gültige Steuer-Identifikationsnummer sein", "{0} must be a valid German tax identification number"},
	"plz":       {ValidPLZ, "{0} muss eine gültige Postleitzahl sein", "{0} must be a valid German postcode"},
	"ars":       {ValidARS, "{0} muss ein gültiger Regionalschlüssel sein", "{0} must be a valid regional key (ARS)"},
	"leika":     {ValidLeika, "{0} muss ein gültiger Leistungsschlüssel sein", "{0} must be a valid service key (LeiKa)"},
	"phone":     {ValidPhone, "{0} muss eine gültige Telefonnummer sein", "{0} must be a valid telephone number"},
}

// typedValidator is a go-playground validator with German and English translations.
type typedValidator struct {
	v      *validator.Validate
	de, en ut.Translator
}

func newTypedValidator(*Form) (*typedValidator, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(sf reflect.StructField) string {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch name {
		case "-":
			return ""
		case "":
			return sf.Name
		}
		return name
	})
	uni := ut.New(en.New(), de.New(), en.New())
	tDE, _ := uni.GetTranslator("de")
	tEN, _ := uni.GetTranslator("en")
	if err := de_translations.RegisterDefaultTranslations(v, tDE); err != nil {
		return nil, fmt.Errorf("forms: validator translations (de): %w", err)
	}
	if err := en_translations.RegisterDefaultTranslations(v, tEN); err != nil {
		return nil, fmt.Errorf("forms: validator translations (en): %w", err)
	}
	for tag, t := range validatorTags {
		check := t.check
		if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			f := fl.Field()
			return f.Kind() != reflect.String || f.String() == "" || check(f.String())
		}); err != nil {
			return nil, fmt.Errorf("forms: validator tag %s: %w", tag, err)
		}
		for _, lt := range []struct {
			tr   ut.Translator
			text string
		}{{tDE, t.de}, {tEN, t.en}} {
			text := lt.text
			err := v.RegisterTranslation(tag, lt.tr, func(tr ut.Translator) error {
				return tr.Add(tag, text, true)
			}, func(tr ut.Translator, fe validator.FieldError) string {
				s, _ := tr.T(fe.Tag(), fe.Field())
				return s
			})
			if err != nil {
				return nil, fmt.Errorf("forms: validator translation %s: %w", tag, err)
			}
		}
	}
	return &typedValidator{v: v, de: tDE, en: tEN}, nil
}

// Decode validates doc completely (as Validate does), decodes it into v, a pointer to a Go struct
// whose json tags mirror the schema, and then checks v with github.com/go-playground/validator/v10
// by its `validate` struct tags. Besides the library's tags, the German formats are available as
// tags: iban, steuer_id, plz, ars, leika, phone.
//
// Problems from the schema and from the struct tags both come as one *ValidationError; an entry
// from a struct tag has the keyword "validator:<tag>" and the library's German and English
// translation, with the field's label from the form. A struct that does not fit a document the
// schema accepts is a programming error and is returned as a plain error, not ErrDocument.
func (f *Form) Decode(doc []byte, v any) error {
	if err := f.Validate(doc); err != nil {
		return err
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return fmt.Errorf("forms: decode %s into %T: %w", f.name, v, err)
	}
	return f.checkStruct(v)
}

// CheckStruct runs the struct-tag validation of Decode on v, a struct or a pointer to one.
func (f *Form) CheckStruct(v any) error { return f.checkStruct(v) }

func (f *Form) checkStruct(v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil // only structs carry validate tags
	}
	tv, err := f.typed()
	if err != nil {
		return err
	}
	err = tv.v.Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			return fmt.Errorf("forms: check %T: %w", v, err)
		}
		return nil
	}
	entries := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		ptr := namespacePointer(fe.Namespace(), rv.Type().Name())
		p := f.params(ptr)
		de := fe.Translate(tv.de)
		en := fe.Translate(tv.en)
		if de == fe.Error() || en == fe.Error() {
			// No translation for this tag: the package's own plain message.
			g := f.entry(ptr, "validator", p)
			de, en = g.Message, g.MessageEN
		} else {
			de = strings.Replace(de, fe.Field(), "„"+p.labelDE+"“", 1)
			en = strings.Replace(en, fe.Field(), "“"+p.labelEN+"”", 1)
		}
		entries = append(entries, FieldError{Pointer: ptr, Keyword: "validator:" + fe.Tag(), Message: de, MessageEN: en})
	}
	return f.newValidationError(entries)
}

// namespacePointer turns a validator namespace, "Antrag.haushalt[0].vorname" of the root type
// named root ("" for an anonymous struct), into a JSON pointer, "/haushalt/0/vorname".
func namespacePointer(ns, root string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(ns, root), ".")
	if rest == "" {
		return ""
	}
	var b strings.Builder
	for _, part := range strings.Split(rest, ".") {
		name, idx, _ := strings.Cut(part, "[")
		b.WriteString("/")
		b.WriteString(escapePointer(name))
		for idx != "" {
			var k string
			k, idx, _ = strings.Cut(idx, "]")
			b.WriteString("/")
			b.WriteString(escapePointer(k))
			idx = strings.TrimPrefix(idx, "[")
		}
	}
	return b.String()
}
