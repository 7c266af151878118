package forms

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// maxDateYears is the largest number of years "x-date" bounds may name.
const maxDateYears = 1000

// dateBounds is the "x-date" keyword: bounds of a date (format "date", YYYY-MM-DD) relative to
// the day of validation.
type dateBounds struct {
	NotFuture     bool `json:"notFuture"`     // not after today
	NotPast       bool `json:"notPast"`       // not before today
	MaxYearsBack  *int `json:"maxYearsBack"`  // not before today minus that many years
	MaxYearsAhead *int `json:"maxYearsAhead"` // not after today plus that many years
}

// parseDateBounds reads the value of "x-date"; nil if it is not a valid one.
func parseDateBounds(x any) *dateBounds {
	m, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	var d dateBounds
	for k, v := range m {
		switch k {
		case "notFuture", "notPast":
			b, ok := v.(bool)
			if !ok {
				return nil
			}
			if k == "notFuture" {
				d.NotFuture = b
			} else {
				d.NotPast = b
			}
		case "maxYearsBack", "maxYearsAhead":
			n, ok := v.(json.Number)
			if !ok {
				return nil
			}
			i, err := n.Int64()
			if err != nil || i < 0 || i > maxDateYears {
				return nil
			}
			y := int(i)
			if k == "maxYearsBack" {
				d.MaxYearsBack = &y
			} else {
				d.MaxYearsAhead = &y
			}
		default:
			return nil
		}
	}
	return &d
}

// today returns the date of now as a time at midnight UTC, for comparing dates.
func today(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// earliest and latest return the bounds on the day of now; ok is false where there is none.
func (d *dateBounds) earliest(now time.Time) (t time.Time, ok bool) {
	switch day := today(now); {
	case d.NotPast: // the stricter of the two lower bounds
		return day, true
	case d.MaxYearsBack != nil:
		return day.AddDate(-*d.MaxYearsBack, 0, 0), true
	}
	return time.Time{}, false
}

func (d *dateBounds) latest(now time.Time) (t time.Time, ok bool) {
	switch day := today(now); {
	case d.NotFuture:
		return day, true
	case d.MaxYearsAhead != nil:
		return day.AddDate(*d.MaxYearsAhead, 0, 0), true
	}
	return time.Time{}, false
}

// check returns the reason ("notFuture", "maxYearsBack", ...) why the date s is out of bounds on
// the day of now, and the number of years for the message; "" if it is within them or is not a
// date (format "date" reports that).
func (d *dateBounds) check(s string, now time.Time) (reason string, years int) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", 0
	}
	day := today(now)
	switch {
	case d.NotFuture && t.After(day):
		return "notFuture", 0
	case d.NotPast && t.Before(day):
		return "notPast", 0
	case d.MaxYearsBack != nil && t.Before(day.AddDate(-*d.MaxYearsBack, 0, 0)):
		return "maxYearsBack", *d.MaxYearsBack
	case d.MaxYearsAhead != nil && t.After(day.AddDate(*d.MaxYearsAhead, 0, 0)):
		return "maxYearsAhead", *d.MaxYearsAhead
	}
	return "", 0
}

// dateMeta is the meta-schema of "x-date": the compiler refuses a schema whose "x-date" does not
// match it.
var dateMeta = jsonschema.MustCompileString("ozgkit-x-date.json", `{
  "properties": {
    "x-date": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "notFuture": {"type": "boolean"},
        "notPast": {"type": "boolean"},
        "maxYearsBack": {"type": "integer", "minimum": 0, "maximum": 1000},
        "maxYearsAhead": {"type": "integer", "minimum": 0, "maximum": 1000}
      }
    }
  }
}`)

// dateExtension compiles "x-date" into a check against the clock now.
type dateExtension struct{ now func() time.Time }

func (x dateExtension) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	raw, ok := m["x-date"]
	if !ok {
		return nil, nil
	}
	d := parseDateBounds(raw)
	if d == nil {
		return nil, &SchemaError{Err: errors.New("x-date: not a valid bound")}
	}
	return &dateSchema{bounds: d, now: x.now}, nil
}

type dateSchema struct {
	bounds *dateBounds
	now    func() time.Time
}

func (s *dateSchema) Validate(ctx jsonschema.ValidationContext, v any) error {
	str, ok := v.(string)
	if !ok {
		return nil
	}
	if reason, years := s.bounds.check(str, s.now()); reason != "" {
		return ctx.Error("x-date/"+reason, "date %s out of bounds (%d years)", str, years)
	}
	return nil
}
