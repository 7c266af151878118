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
// A required object that is missing altogether (a page left empty) is reported field by field,
// each required field of it with its own message, never as the group. A missing choice asks
// to choose ("Bitte wählen Sie bei ... aus."), a missing declaration to confirm it.
//
// # Hostile documents
//
// Before validation every entry point that takes a JSON document (Validate, ValidateDraft,
// ValidateStep, MergeStep, Render, Decode, Prefill, TrackChanges, Prune, Applies,
// ApplicableSteps, Answers; ValidateValue for what it can see) refuses, with a [*ValidationError]
// naming the field:
//
//   - a member name given twice in one object, at any depth, also when written with escapes
//     ({"a":1,"\u0061":2}): keyword "duplicateKey". Readers disagree about which value counts,
//     so such a document is never validated or stored.
//   - a number whose magnitude is above 10^300, a number other than zero below 10^-300, or one
//     written with more than 400 characters, such as 1e99999999: keyword "numberRange", message
//     "Bitte geben Sie bei „…“ eine Zahl zwischen … und … an." with the field's minimum and
//     maximum where the schema gives them. The validator computes with exact fractions and
//     cannot take such numbers; no entry point panics on them.
//
// ParseValues keeps such a number typed into a form as a string, so that the page shows it again
// and validation names the bounds; it refuses a name posted twice for a field that takes one
// value.
//
// # Dates relative to today
//
// The keyword "x-date" bounds a date (format "date") relative to the day of validation:
//
//	"geburtsdatum": {"type": "string", "format": "date", "x-date": {"notFuture": true, "maxYearsBack": 120}}
//	"einzugsdatum": {"type": "string", "format": "date", "x-date": {"notFuture": true}}
//	"termin":       {"type": "string", "format": "date", "x-date": {"notPast": true, "maxYearsAhead": 1}}
//
// notFuture: not after today; notPast: not before today; maxYearsBack: not before the same day
// that many years ago; maxYearsAhead: not after the same day that many years ahead (0 to 1000).
// A date out of bounds gets the keyword "x-date" and the message key "x-date.<bound>" ("Das
// Datum bei „Geburtsdatum“ darf nicht in der Zukunft liegen."), also in drafts; the date input
// gets min and max. Today is the date of [Options].Now, time.Now by default, in its location;
// tests set a fixed day. Unknown members of "x-date" make the schema fail to load.
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
// formstest checks rendered HTML for the accessibility rules and simulates a browser's submit
// ([formstest.Submit], and [formstest.Fill] with a citizen's answers).
//
// A boolean is a question with the radios Ja and Nein; a declaration, {"type": "boolean",
// "const": true}, is one checkbox labelled with the schema's label that must be ticked. The
// words true and false never appear on the page. A repeatable group starts with as many empty
// entries as its minItems asks for, none if it may be empty; every array the page shows is named
// in a hidden "_arrays" input, so that one the citizen left empty posts back as [] (a household
// of one answers a required list of further members with no entry). Numbers are shown the way
// they are typed in the page's language: "2,5" comes back as "2,5".
//
// # Questions that depend on earlier answers
//
// JSON Schema 2020-12 says which questions apply with "if"/"then"/"else", "dependentSchemas"
// and "dependentRequired"; forms renders them on the server, without JavaScript: each page
// shows what applies to the answers saved so far, and the next page follows from them. The
// patterns, in an object's schema or in an entry of its "allOf":
//
//	"allOf": [{
//	  "if":   {"properties": {"nutzung": {"const": "eigentum"}}, "required": ["nutzung"]},
//	  "then": {"properties": {"belastung": {...}}, "required": ["belastung"]},
//	  "else": {"properties": {"kaltmiete": {...}, "nebenkosten": {...}}, "required": ["kaltmiete", "nebenkosten"]}
//	}],
//	"dependentSchemas":  {"untermieter": {"properties": {"untermiete": {...}}, "required": ["untermiete"]}},
//	"dependentRequired": {"bic": ["kontoinhaber"]}
//
// What forms makes of them:
//
//   - A property declared only in a branch ("then", "else", an entry of "dependentSchemas") is
//     conditional ([Field].Conditional): it is asked where the branch applies ("then" when the
//     object matches "if", "else" when it does not, a dependentSchemas entry when its property
//     is present) and nowhere else. Declared in several branches, it is asked where any applies.
//   - A property declared in the object's own "properties" is always asked; a branch's
//     "required" (and "dependentRequired") only makes it required where the branch applies,
//     which the page marks.
//   - Write "required" into the "if" for the property it tests: {"properties": {"x": {"const":
//     true}}} alone holds for an object without x. An unanswered question thus takes the "else".
//   - A top-level property may be conditional: a step whose fields all do not apply is skipped
//     ([Form.ApplicableSteps], [Form.StepApplies]); the root schema's "if" can test any
//     answer, e.g. {"properties": {"antragsteller": {"properties": {"weiterePersonen":
//     {"const": false}}, "required": ["weiterePersonen"]}}, "required": ["antragsteller"]}.
//   - Use "unevaluatedProperties": false, not "additionalProperties": false, on an object with
//     conditional properties: additionalProperties sees only the object's own "properties".
//     A value of a property whose branch does not apply is then refused ("ist hier nicht
//     vorgesehen").
//   - Conditions are evaluated against the object they are written in; "if" must be in the same
//     schema document as the object (a "$ref" into another file cannot carry conditions).
//
// [Form.Render] leaves out what does not apply and drops errors of fields it does not show;
// [Form.Prune] drops the saved values of questions that no longer apply (the rent of a citizen
// who has since said they own their home) and belongs into every save of a draft;
// [Form.Applies] answers for one field; [Form.Answers] lists the applicable answers for the
// summary before submission. These are also the patterns onto which an import of FIM
// XDatenfelder can map a rule (Regel) that makes a field or group depend on another field.
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
