package forms

import (
	"bytes"
	"sync"
	"testing"
)

func TestAFormIsSafeForConcurrentUse(t *testing.T) {
	f := antrag(t)
	valid := readFile(t, "testdata/antrag.valid.json")
	bad := []byte(`{"bank":{"iban":"x"}}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if err := f.Validate(valid); err != nil {
					t.Error(err)
				}
				if f.Validate(bad) == nil {
					t.Error("bad document passed")
				}
				var a testAntrag
				if err := f.Decode(valid, &a); err != nil {
					t.Error(err)
				}
				if err := f.Render(&bytes.Buffer{}, bad, &RenderOptions{Errors: f.Validate(bad)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
