module github.com/ozgkit/ozgkit

go 1.26.8

require (
	github.com/gabriel-vasile/mimetype v1.4.16
	github.com/google/uuid v1.6.0
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	golang.org/x/text v0.43.0
)
