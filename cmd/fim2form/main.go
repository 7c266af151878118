// Command fim2form imports a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0) and prints the
// form as a JSON Schema with the UI hints of package forms:
//
//	fim2form [-codelist FILE.gc]... [-report] FILE.xml
//
// The schema goes to standard output. What the schema does not enforce (rules it cannot
// express, code lists without values) and the evidence requirements made from file fields
// are listed on standard error; with -report, standard output carries the whole import
// result as JSON instead (schema, evidence, notEnforced). -codelist reads the values of a
// code list from a genericode file; give it once per list.
//
// Errors name the element and the line of the export; the exit status is 1 for them and 2
// for wrong usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ozgkit/ozgkit/forms/fim"
)

type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fim2form", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var codeLists listFlag
	fs.Var(&codeLists, "codelist", "genericode `file` with the values of a code list (repeatable)")
	report := fs.Bool("report", false, "print the whole import result (schema, evidence, notEnforced) as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fim2form [-codelist FILE.gc]... [-report] FILE.xml")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	opts := &fim.Options{CodeLists: map[string][]fim.Code{}}
	for _, p := range codeLists {
		f, err := os.Open(p)
		if err != nil {
			fmt.Fprintf(stderr, "fim2form: %v\n", err)
			return 1
		}
		cl, err := fim.ReadGenericode(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "fim2form: %s: %v\n", p, err)
			return 1
		}
		opts.CodeLists[cl.CanonicalURI] = cl.Codes
		if cl.CanonicalVersionURI != "" {
			opts.CodeLists[cl.CanonicalVersionURI] = cl.Codes
		}
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "fim2form: %v\n", err)
		return 1
	}
	defer f.Close()
	res, err := fim.Import(f, opts)
	if err != nil {
		fmt.Fprintf(stderr, "fim2form: %s: %v\n", name, err)
		return 1
	}
	if *report {
		b, err := res.MarshalReport()
		if err != nil {
			fmt.Fprintf(stderr, "fim2form: %v\n", err)
			return 1
		}
		stdout.Write(b)
		return 0
	}
	stdout.Write(res.Schema)
	for _, e := range res.Evidence {
		fmt.Fprintf(stderr, "fim2form: evidence %s (%s) from %s at %s\n", e.Requirement.ID, e.Requirement.Title, e.Field.ID, e.Pointer)
	}
	for _, g := range res.NotEnforced {
		fmt.Fprintf(stderr, "fim2form: %s:%d: not enforced: %s %s at %s: %s\n", name, g.Line, g.Kind, g.Element.ID, g.Pointer, g.Reason)
	}
	return 0
}
