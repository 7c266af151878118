package ozgtest

import (
	"fmt"
	"net/http"
	"slices"
)

// notFoundForOther checks an answer to citizen B about A's application: 404 as problem+json,
// and a 403 is named as what it is, a leak that the id exists.
func notFoundForOther(a *answer) error {
	if a.status == http.StatusForbidden {
		return fmt.Errorf("answered 403, which tells that the id exists; want 404; %s", a)
	}
	_, err := a.expectProblem(http.StatusNotFound)
	return err
}

func (r *runner) ownerGet() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	b, err := r.other()
	if err != nil {
		return skip("%v", err)
	}
	a, err := r.call(b, request{method: http.MethodGet, path: r.appPath("")})
	if err != nil {
		return fail("%v", err)
	}
	if err := notFoundForOther(a); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

func (r *runner) ownerPut() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	b, err := r.other()
	if err != nil {
		return skip("%v", err)
	}
	a, err := r.call(b, jsonRequest(http.MethodPut, r.appPath(""), map[string]any{"version": r.draft.Version, "data": map[string]any{}}))
	if err != nil {
		return fail("%v", err)
	}
	if err := notFoundForOther(a); err != nil {
		return fail("%v", err)
	}
	if err := r.unchanged("the other citizen's save"); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

func (r *runner) ownerEvidence() outcome {
	if o, ok := r.needs("draft-create"); !ok {
		return o
	}
	if len(r.svc.Evidence) == 0 {
		return skip("the service asks for no evidence")
	}
	b, err := r.other()
	if err != nil {
		return skip("%v", err)
	}
	req := r.svc.Evidence[0]
	f, ok := r.sampleFile(req.ID, req.MediaTypes)
	if !ok {
		return skip("no sample file for requirement %s (accepts %v)", req.ID, req.MediaTypes)
	}
	a, err := r.call(b, uploadRequest(r.appPath("/evidence"), req.ID, f))
	if err != nil {
		return fail("%v", err)
	}
	if err := notFoundForOther(a); err != nil {
		return fail("%v", err)
	}
	return pass("")
}

// sampleFile returns the target's sample for a requirement, or the generated PDF when the
// requirement accepts PDF.
func (r *runner) sampleFile(id string, mediaTypes []string) (File, bool) {
	if f, ok := r.t.Evidence[id]; ok {
		return f, true
	}
	if slices.Contains(mediaTypes, "application/pdf") {
		return File{Name: "ozgtest-" + id + ".pdf", Content: samplePDF}, true
	}
	return File{}, false
}
