// Package forms turns a JSON Schema (draft 2020-12) into the form a citizen fills in for an
// application (Antrag), and checks the data against it.
//
// # Loading
//
// [Load] compiles a schema with github.com/santhosh-tekuri/jsonschema/v5 and refuses one that
// does not compile. [Form.Validate] checks a JSON document against it.
//
// forms is a leaf package: it imports nothing else of ozgkit.
package forms
