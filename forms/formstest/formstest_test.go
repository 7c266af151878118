package formstest

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestSubmitSendsWhatABrowserSends(t *testing.T) {
	page := `<form>
<input name="text" value="a &amp; b">
<input name="off" type="checkbox" value="x">
<input name="on" type="checkbox" checked>
<input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
<input name="gone" value="x" disabled>
<select name="s"><option value="">-</option><option value="b">B</option></select>
<select name="t"><option value="a">A</option><option selected>Bee</option></select>
<textarea name="ta">
line one
line two</textarea>
<input type="hidden" name="_csrf" value="k">
<button name="_action" value="add:/x">Add</button>
<button name="_action" value="submit">Send</button>
</form>`
	got, err := Submit(strings.NewReader(page), "_action", "submit")
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"text": {"a & b"}, "on": {"on"}, "r": {"2"}, "s": {""}, "t": {"Bee"},
		"ta": {"line one\nline two"}, "_csrf": {"k"}, "_action": {"submit"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Submit = %v\nwant %v", got, want)
	}
	if _, err := Submit(strings.NewReader(page), "_action", "nope"); err == nil {
		t.Fatal("Submit with a missing button succeeded")
	}
}

func TestFillEntersAnswersAsABrowserLetsThem(t *testing.T) {
	page := `<form>
<input name="text" value="old">
<input name="box" type="checkbox" value="true">
<input name="many" type="checkbox" value="a" checked><input name="many" type="checkbox" value="b">
<input type="radio" name="r" value="1" checked><input type="radio" name="r" value="2">
<select name="s"><option value="">-</option><option value="b">B</option></select>
<textarea name="ta">old</textarea>
<input type="hidden" name="secret" value="k">
<button name="_action" value="submit">Send</button>
</form>`
	got, err := Fill(strings.NewReader(page), map[string][]string{
		"text": {"neu"}, "box": {"true"}, "many": {"b"}, "r": {"2"}, "s": {"b"}, "ta": {"Zeile"},
	}, "_action", "submit")
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"text": {"neu"}, "box": {"true"}, "many": {"b"}, "r": {"2"}, "s": {"b"}, "ta": {"Zeile"},
		"secret": {"k"}, "_action": {"submit"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fill = %v\nwant %v", got, want)
	}
	none, err := Fill(strings.NewReader(page), map[string][]string{"many": {}}, "_action", "submit")
	if err != nil || none.Has("many") {
		t.Errorf("unticking all: %v %v", none, err)
	}
	for name, answers := range map[string]map[string][]string{
		"a field the page does not show": {"nope": {"x"}},
		"a hidden input":                 {"secret": {"x"}},
		"an option the select lacks":     {"s": {"c"}},
		"a radio the group lacks":        {"r": {"3"}},
		"two values for a text":          {"text": {"a", "b"}},
	} {
		if _, err := Fill(strings.NewReader(page), answers, "_action", "submit"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
