package forms

import (
	"sort"
	"strings"
)

// messages is the catalogue of citizen-facing messages, by message key. A key is a JSON Schema
// keyword, sometimes refined ("format.iban", "type.integer", "minLength.one"), or one of this
// package's own reasons. Placeholders: {label} the field's label, {limit} the schema's limit,
// {other} the label of a related field, {min} and {max} the bounds of a number.
var messages = map[string]Text{
	"required":             {DE: "Bitte füllen Sie das Feld „{label}“ aus.", EN: "Please fill in “{label}”."},
	"required.choice":      {DE: "Bitte wählen Sie bei „{label}“ eine der angebotenen Möglichkeiten aus.", EN: "Please choose one of the options for “{label}”."},
	"required.boolean":     {DE: "Bitte wählen Sie bei „{label}“ Ja oder Nein aus.", EN: "Please choose yes or no for “{label}”."},
	"required.choices":     {DE: "Bitte wählen Sie bei „{label}“ mindestens eine der angebotenen Möglichkeiten aus.", EN: "Please choose at least one of the options for “{label}”."},
	"required.list":        {DE: "Bitte machen Sie Angaben zu „{label}“.", EN: "Please give the details of “{label}”."},
	"required.confirm":     {DE: "Bitte bestätigen Sie „{label}“.", EN: "Please confirm “{label}”."},
	"dependentRequired":    {DE: "Bitte füllen Sie auch das Feld „{label}“ aus, wenn Sie „{other}“ angeben.", EN: "Please fill in “{label}” when you fill in “{other}”."},
	"type.string":          {DE: "Bitte geben Sie bei „{label}“ einen Text ein.", EN: "Please enter text for “{label}”."},
	"type.integer":         {DE: "Bitte geben Sie bei „{label}“ eine ganze Zahl an.", EN: "Please enter a whole number for “{label}”."},
	"type.number":          {DE: "Bitte geben Sie bei „{label}“ eine Zahl an.", EN: "Please enter a number for “{label}”."},
	"type.boolean":         {DE: "Bitte wählen Sie bei „{label}“ Ja oder Nein aus.", EN: "Please choose yes or no for “{label}”."},
	"type.object":          {DE: "Die Angaben zu „{label}“ sind unvollständig oder nicht richtig aufgebaut.", EN: "The details for “{label}” are incomplete or malformed."},
	"type.array":           {DE: "Die Angaben zu „{label}“ müssen als Liste übermittelt werden.", EN: "The details for “{label}” must be a list."},
	"type.null":            {DE: "Bitte lassen Sie das Feld „{label}“ leer.", EN: "Please leave “{label}” empty."},
	"type":                 {DE: "Bitte prüfen Sie die Angabe bei „{label}“.", EN: "Please check “{label}”."},
	"const":                {DE: "Bei „{label}“ ist nur ein bestimmter Wert zulässig.", EN: "Only one particular value is allowed for “{label}”."},
	"const.true":           {DE: "Bitte bestätigen Sie „{label}“.", EN: "Please confirm “{label}”."},
	"enum":                 {DE: "Bitte wählen Sie bei „{label}“ eine der angebotenen Möglichkeiten aus.", EN: "Please choose one of the options for “{label}”."},
	"format":               {DE: "Bitte prüfen Sie die Schreibweise bei „{label}“.", EN: "Please check the format of “{label}”."},
	"format.iban":          {DE: "Bitte geben Sie bei „{label}“ eine gültige IBAN an, zum Beispiel " + ExampleIBAN + ".", EN: "Please enter a valid IBAN for “{label}”, for example " + ExampleIBAN + "."},
	"format.steuer-id":     {DE: "Bitte geben Sie bei „{label}“ Ihre 11-stellige Steuer-Identifikationsnummer an. Sie finden sie auf Ihrem Einkommensteuerbescheid.", EN: "Please enter your 11-digit tax identification number (Steuer-ID) for “{label}”. It is on your income tax assessment."},
	"format.plz":           {DE: "Bitte geben Sie bei „{label}“ eine gültige Postleitzahl mit 5 Ziffern an.", EN: "Please enter a valid 5-digit German postcode for “{label}”."},
	"format.ars":           {DE: "Bitte geben Sie bei „{label}“ einen gültigen Regionalschlüssel mit 12 Ziffern an.", EN: "Please enter a valid 12-digit regional key (ARS) for “{label}”."},
	"format.leika":         {DE: "Bitte geben Sie bei „{label}“ einen gültigen Leistungsschlüssel mit 14 Ziffern an, der mit 99 beginnt.", EN: "Please enter a valid 14-digit service key starting with 99 for “{label}”."},
	"format.phone":         {DE: "Bitte geben Sie bei „{label}“ eine gültige Telefonnummer an, zum Beispiel 030 1234567 oder +49 30 1234567.", EN: "Please enter a valid telephone number for “{label}”, for example 030 1234567 or +49 30 1234567."},
	"format.date":          {DE: "Bitte geben Sie bei „{label}“ ein gültiges Datum an, zum Beispiel 27.03.1980.", EN: "Please enter a real date for “{label}”."},
	"format.date-time":     {DE: "Bitte geben Sie bei „{label}“ ein gültiges Datum mit Uhrzeit an.", EN: "Please enter a real date and time for “{label}”."},
	"format.time":          {DE: "Bitte geben Sie bei „{label}“ eine gültige Uhrzeit an.", EN: "Please enter a real time for “{label}”."},
	"format.email":         {DE: "Bitte geben Sie bei „{label}“ eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.", EN: "Please enter a valid email address for “{label}”, like name@example.com."},
	"format.uri":           {DE: "Bitte geben Sie bei „{label}“ eine gültige Internetadresse an.", EN: "Please enter a valid web address for “{label}”."},
	"minLength":            {DE: "Bitte geben Sie bei „{label}“ mindestens {limit} Zeichen ein.", EN: "“{label}” must be {limit} characters or more."},
	"minLength.one":        {DE: "Bitte füllen Sie das Feld „{label}“ aus.", EN: "Please fill in “{label}”."},
	"maxLength":            {DE: "Bitte geben Sie bei „{label}“ höchstens {limit} Zeichen ein.", EN: "“{label}” must be {limit} characters or fewer."},
	"pattern":              {DE: "Bitte prüfen Sie die Schreibweise bei „{label}“.", EN: "Please check the format of “{label}”."},
	"minimum":              {DE: "Bitte geben Sie bei „{label}“ mindestens {limit} an.", EN: "“{label}” must be {limit} or more."},
	"exclusiveMinimum":     {DE: "Bitte geben Sie bei „{label}“ eine Zahl größer als {limit} an.", EN: "“{label}” must be more than {limit}."},
	"maximum":              {DE: "Bitte geben Sie bei „{label}“ höchstens {limit} an.", EN: "“{label}” must be {limit} or less."},
	"exclusiveMaximum":     {DE: "Bitte geben Sie bei „{label}“ eine Zahl kleiner als {limit} an.", EN: "“{label}” must be less than {limit}."},
	"multipleOf":           {DE: "Bitte geben Sie bei „{label}“ ein Vielfaches von {limit} an.", EN: "“{label}” must be a multiple of {limit}."},
	"minItems":             {DE: "Bitte machen Sie bei „{label}“ mindestens {limit} Einträge.", EN: "Please add at least {limit} entries for “{label}”."},
	"minItems.one":         {DE: "Bitte machen Sie bei „{label}“ mindestens einen Eintrag.", EN: "Please add at least one entry for “{label}”."},
	"minItems.choice":      {DE: "Bitte wählen Sie bei „{label}“ mindestens {limit} der angebotenen Möglichkeiten aus.", EN: "Please choose at least {limit} of the options for “{label}”."},
	"minItems.choiceOne":   {DE: "Bitte wählen Sie bei „{label}“ mindestens eine der angebotenen Möglichkeiten aus.", EN: "Please choose at least one of the options for “{label}”."},
	"maxItems":             {DE: "Bei „{label}“ sind höchstens {limit} Einträge möglich.", EN: "“{label}” can have at most {limit} entries."},
	"uniqueItems":          {DE: "Bei „{label}“ ist ein Eintrag mehrfach vorhanden. Bitte entfernen Sie die Wiederholung.", EN: "“{label}” has an entry twice."},
	"minProperties":        {DE: "Bitte machen Sie bei „{label}“ mindestens {limit} Angaben.", EN: "Please give at least {limit} details for “{label}”."},
	"maxProperties":        {DE: "Bei „{label}“ sind höchstens {limit} Angaben möglich.", EN: "“{label}” can have at most {limit} details."},
	"additionalProperties": {DE: "Das Feld „{label}“ ist in diesem Formular nicht vorgesehen.", EN: "“{label}” is not a field of this form."},
	"false":                {DE: "Das Feld „{label}“ ist hier nicht vorgesehen.", EN: "“{label}” is not expected here."},
	"additionalItems":      {DE: "Bei „{label}“ sind nicht so viele Einträge möglich.", EN: "“{label}” cannot have that many entries."},
	"contains":             {DE: "Bitte prüfen Sie die Einträge bei „{label}“.", EN: "Please check the entries for “{label}”."},
	"not":                  {DE: "Diese Angabe ist bei „{label}“ nicht zulässig.", EN: "This answer is not allowed for “{label}”."},
	"anyOf":                {DE: "Bitte prüfen Sie Ihre Angaben bei „{label}“: sie passen zu keiner der möglichen Varianten.", EN: "Please check “{label}”: it matches none of the possible variants."},
	"oneOf":                {DE: "Bitte prüfen Sie Ihre Angaben bei „{label}“: sie müssen zu genau einer der möglichen Varianten passen.", EN: "Please check “{label}”: it must match exactly one of the possible variants."},
	"content":              {DE: "Der Inhalt von „{label}“ hat nicht das vorgesehene Format.", EN: "The content of “{label}” is not in the expected format."},
	"json":                 {DE: "Die Angaben konnten nicht gelesen werden, weil sie kein gültiges JSON sind.", EN: "The data could not be read: it is not valid JSON."},
	"documentSize":         {DE: "Die Angaben sind zu umfangreich. Möglich sind höchstens {limit} Bytes.", EN: "The data is too large: at most {limit} bytes are allowed."},
	"depth":                {DE: "Die Angaben bei „{label}“ sind zu tief verschachtelt. Möglich sind höchstens {limit} Ebenen.", EN: "The data at “{label}” is nested too deeply: at most {limit} levels are allowed."},
	"arrayLength":          {DE: "Bei „{label}“ sind höchstens {limit} Einträge möglich.", EN: "“{label}” can have at most {limit} entries."},
	"numberRange":          {DE: "Bitte geben Sie bei „{label}“ eine Zahl zwischen {min} und {max} an.", EN: "Please enter a number between {min} and {max} for “{label}”."},
	"duplicateKey":         {DE: "Die Angabe „{label}“ ist mehrfach übermittelt worden. Bitte senden Sie jede Angabe nur einmal.", EN: "“{label}” was sent more than once. Please send each detail only once."},
	"x-date.notFuture":     {DE: "Das Datum bei „{label}“ darf nicht in der Zukunft liegen.", EN: "The date for “{label}” cannot be in the future."},
	"x-date.notPast":       {DE: "Das Datum bei „{label}“ darf nicht in der Vergangenheit liegen.", EN: "The date for “{label}” cannot be in the past."},
	"x-date.maxYearsBack":  {DE: "Das Datum bei „{label}“ darf höchstens {limit} Jahre zurückliegen.", EN: "The date for “{label}” can be at most {limit} years ago."},
	"x-date.maxYearsAhead": {DE: "Das Datum bei „{label}“ darf höchstens {limit} Jahre in der Zukunft liegen.", EN: "The date for “{label}” can be at most {limit} years ahead."},
	"validator":            {DE: "Bitte prüfen Sie die Angabe bei „{label}“.", EN: "Please check “{label}”."},
	"generic":              {DE: "Bitte prüfen Sie die Angabe bei „{label}“.", EN: "Please check “{label}”."},
}

// genericKey is the message key used when no better one is known; a form of ours must never
// produce it (see the tests).
const genericKey = "generic"

// MessageKeys returns every message key of the catalogue, sorted. These keys can be given a
// field-specific message in the field's UI hints, "x-ui": {"errors": {"<key>": {...}}}.
func MessageKeys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// messageParams are the values substituted into a message.
type messageParams struct {
	labelDE, labelEN string
	limit            string // as written in the schema; the German text gets a decimal comma
	otherDE, otherEN string
	minDE, minEN     string
	maxDE, maxEN     string
}

// ExampleIBAN is the IBAN that the message for a wrong IBAN and the default help of an IBAN
// field give as an example, so that both show the same one.
const ExampleIBAN = "DE02 1203 0000 0000 2020 51"

// germanNumber writes a JSON number text the German way: a decimal comma and points between
// thousands from five digits on ("12345.5" becomes "12.345,5", "2026" stays). Text that is not a plain decimal stays as it is.
func germanNumber(s string) string {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	if intPart == "" || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if len(intPart) > 4 && i > 0 && (len(intPart)-i)%3 == 0 { // 1000 and years stay as they are
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// render builds the German and English messages for key, preferring the field's own message for
// the full key and then for the base keyword.
func render(key string, field *Field, p messageParams) (de, en string) {
	t, ok := Text{}, false
	if field != nil && field.Messages != nil {
		if t, ok = field.Messages[key]; !ok {
			base, _, _ := strings.Cut(key, ".")
			t, ok = field.Messages[base]
		}
	}
	if !ok {
		if t, ok = messages[key]; !ok {
			t = messages[genericKey]
		}
	}
	deR := strings.NewReplacer("{label}", p.labelDE, "{limit}", germanNumber(p.limit), "{other}", p.otherDE, "{min}", p.minDE, "{max}", p.maxDE)
	enR := strings.NewReplacer("{label}", p.labelEN, "{limit}", p.limit, "{other}", p.otherEN, "{min}", p.minEN, "{max}", p.maxEN)
	return deR.Replace(t.In("de")), enR.Replace(t.In("en"))
}
