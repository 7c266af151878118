package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ozgkit/ozgkit/forms"
	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/ozg"
)

// maxDescriptor bounds a descriptor file.
const maxDescriptor = 1 << 20

// descriptor is a service descriptor file: ozg.Service's fields, with the form as a path.
type descriptor struct {
	ozg.Service
	// Form is the path of the form's JSON Schema, relative to the descriptor's directory.
	Form string `json:"form"`
}

// problem is one thing wrong with a descriptor.
type problem struct {
	Field, Message string
}

func lint(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, "usage: ozgcheck lint SERVICE.json...\n")
		return 2
	}
	code := 0
	for _, path := range args {
		problems, err := lintFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			code = max(code, 1)
			continue
		}
		for _, p := range problems {
			fmt.Fprintf(stdout, "%s: %s: %s\n", path, p.Field, p.Message)
		}
		if len(problems) > 0 {
			code = max(code, 1)
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
	}
	return code
}

// lintFile reads and checks one descriptor. An error means the file could not be read at all;
// everything wrong inside it is a problem.
func lintFile(path string) ([]problem, error) {
	_, problems, err := loadDescriptor(path)
	return problems, err
}

// loadDescriptor reads a descriptor and its form into a service, which is valid when there
// are no problems.
func loadDescriptor(path string) (*ozg.Service, []problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDescriptor+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > maxDescriptor {
		return nil, nil, fmt.Errorf("larger than %d bytes", maxDescriptor)
	}
	var d descriptor
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, []problem{decodeProblem(err)}, nil
	}
	if dec.More() {
		return nil, []problem{{"", "trailing data after the descriptor's JSON object"}}, nil
	}
	var problems []problem
	switch {
	case d.Form == "":
		problems = append(problems, problem{"form", "required: the path of the form's JSON Schema, relative to the descriptor"})
	default:
		schema := d.Form
		if !filepath.IsAbs(schema) {
			schema = filepath.Join(filepath.Dir(path), filepath.FromSlash(schema))
		}
		form, err := forms.LoadFile(schema, nil)
		if err != nil {
			problems = append(problems, problem{"form", err.Error()})
		}
		d.Service.Form = form
	}
	svc := d.Service
	err = svc.Validate()
	var de *ozg.DescriptorError
	switch {
	case err == nil:
	case errors.As(err, &de):
		for _, p := range de.Problems {
			if strings.EqualFold(p.Field, "form") && d.Form != "" && d.Service.Form == nil {
				continue // already said why
			}
			problems = append(problems, problem{p.Field, p.Message})
		}
	default:
		problems = append(problems, problem{"", err.Error()})
	}
	return &svc, problems, nil
}

// decodeProblem names the field a JSON decoding error is about.
func decodeProblem(err error) problem {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return problem{te.Field, fmt.Sprintf("want a JSON %s, got %s", te.Type, te.Value)}
	case errors.Is(err, identity.ErrUnknownLevel):
		return problem{"level", err.Error()}
	case errors.As(err, &se):
		return problem{"", fmt.Sprintf("not JSON at byte %d: %v", se.Offset, err)}
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return problem{strings.Trim(field, `"`), "unknown field (a typo? see the fields of ozg.Service)"}
	}
	return problem{"", msg}
}
