package ozg

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/go-playground/validator/v10"

	"github.com/ozgkit/ozgkit/identity"
	"github.com/ozgkit/ozgkit/internal/validate"
)

// descriptorValidator is built once: a validator caches struct metadata and is safe for
// concurrent use.
var descriptorValidator = sync.OnceValue(func() *validator.Validate {
	v := validate.New()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("topic", func(fl validator.FieldLevel) bool {
		return fl.Field().Kind() == reflect.String && Topic(fl.Field().String()).Valid()
	}))
	must(v.RegisterValidation("trustlevel", func(fl validator.FieldLevel) bool {
		return fl.Field().CanInt() && identity.Level(fl.Field().Int()).Valid()
	}))
	return v
})

// Validate checks the descriptor and returns every problem at once as a *DescriptorError
// (matching ErrInvalidService), each naming its field by JSON path; nil when it is valid.
func (s *Service) Validate() error {
	if s == nil {
		return &DescriptorError{Problems: []FieldProblem{{Field: "", Rule: "required", Message: "service is nil"}}}
	}
	var problems []FieldProblem
	err := descriptorValidator().Struct(s)
	var verrs validator.ValidationErrors
	switch {
	case err == nil:
	case errors.As(err, &verrs):
		for _, fe := range verrs {
			msg := validate.Message(fe)
			switch fe.Tag() {
			case "topic":
				msg = "must be one of the 14 OZG Themenfelder, e.g. " + string(TopicBauenWohnen)
			case "trustlevel":
				msg = "must be a trust level: none, basic, low, substantial or high"
			}
			problems = append(problems, FieldProblem{Field: validate.Path(fe), Rule: fe.Tag(), Message: msg})
		}
	default:
		return fmt.Errorf("%w: %v", ErrInvalidService, err)
	}
	for i, r := range s.Evidence {
		if !r.Required && r.MinCount > 0 {
			problems = append(problems, FieldProblem{
				Field:   fmt.Sprintf("evidence[%d].minCount", i),
				Rule:    "optional",
				Message: "must be 0 for an optional requirement (set required to demand files)",
			})
		}
	}
	problems = append(problems, s.retentionProblems()...)
	if len(problems) == 0 {
		return nil
	}
	return &DescriptorError{ServiceID: s.ID, Problems: problems}
}
