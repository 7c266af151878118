// Package forms turns a JSON Schema (draft 2020-12) plus UI hints into everything a portal needs
// to ask a citizen for the data of an application (Antrag): validation with German and English
// messages per field, drafts, steps (pages), typed decoding into Go structs, accessible HTML,
// and prefilling from facts already known about the citizen (once-only).
//
// # Loading
//
// [Load] (bytes), [LoadFS] (an fs.FS, for //go:embed) and [LoadFile] compile a schema with
// github.com/santhosh-tekuri/jsonschema/v5 and refuse one that does not compile with a
// [*SchemaError] naming the JSON pointer and, where known, line and column of the problem.
// Schemas never load anything from the network or the file system outside the given fs.FS.
//
// # UI hints
//
// The hints live in the schema itself, in an "x-ui" annotation on any subschema, so that one file
// describes the form. JSON Schema's "title" and "description" serve as German label and help when
// there are no hints.
//
//	"geburtsdatum": {
//	  "type": "string", "format": "date",
//	  "x-ui": {
//	    "label": {"de": "Geburtsdatum", "en": "Date of birth"},
//	    "help": {"de": "Zum Beispiel 1980-03-27", "en": "For example 1980-03-27"},
//	    "autocomplete": "bday",
//	    "fact": "birthdate",
//	    "errors": {"required": {"de": "Bitte geben Sie Ihr Geburtsdatum an.", "en": "Please enter your date of birth."}}
//	  }
//	}
//
// Keys of "x-ui": label, help (a string for German only, or {"de", "en"}); widget (see the Widget
// constants); autocomplete (HTML autocomplete tokens); errors (field-specific messages by message
// key, see [MessageKeys]); enumLabels (labels of enum values); itemLabel (what one entry of an
// array is called); order (property order, default: as written); fact (the citizen fact that
// prefills the field, see [FactSource]); steps (root only, see [Step]). Unknown keys are refused.
//
// # Validation
//
// [Form.Validate] checks a document completely, [Form.ValidateDraft] checks only what is present
// and [Form.ValidateStep] one page. Problems come as a [*ValidationError] (wrapping ErrDocument)
// with one [FieldError] per field and reason: JSON pointer, keyword, German and English message
// written for citizens. Documents are bounded in size, nesting depth and array length ([Options]).
//
// German formats are registered with the validator: "iban", "steuer-id", "plz", "ars", "leika"
// and "phone", next to the standard "date", "email" and others; formats are asserted.
//
// # Typed data
//
// [Form.Decode] validates a document, decodes it into a Go struct and runs
// github.com/go-playground/validator/v10 on it, with the library's German and English
// translations, merging its findings into the same [*ValidationError].
//
// # Steps
//
// A form can be split into pages ([Step]) in the root hints. [Form.ValidateStep] checks one page
// completely and leaves the others alone; [Form.StepsWithErrors] tells which pages need another
// look before submission; [Form.MergeStep] puts a submitted page into the data so far.
//
// # HTML
//
// [Form.Render] writes an accessible HTML form with html/template (labels, fieldsets with
// legends, aria-describedby for help and errors, an error summary linking to each field,
// radios and checkboxes for small choices, date inputs, repeatable groups whose add and remove
// buttons are plain submits, so no JavaScript is needed). [Form.ParseValues] turns the submitted
// url.Values back into the same JSON document the API takes, typed per the schema. Package
// formstest checks rendered HTML for the accessibility rules and simulates a browser's submit.
//
// # Prefill
//
// [Form.Prefill] fills a document from [PrefillSource]s, such as a [FactSource] of identity
// claims, without overwriting the citizen's values, and records the origin of each value in a
// [Provenance] ("prefill:<source>" or "user") kept with the application data;
// [Form.TrackChanges] marks what the citizen changed. forms knows nothing of identities: package
// ozg turns a Principal into facts.
//
// forms is a leaf package: it imports nothing else of ozgkit but internal/problem.
package forms
