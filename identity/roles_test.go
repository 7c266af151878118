package identity_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ozgkit/ozgkit/identity"
)

func TestRolesComeFromTheConfiguredClaims(t *testing.T) {
	m := identity.StandardClaims()
	m.Roles = []string{"roles", "realm_access.roles", "groups"}
	base := func() map[string]any {
		return map[string]any{"sub": "kc-1", "acr": "STORK-QAA-Level-3"}
	}
	tests := []struct {
		name    string
		claims  map[string]any
		want    []string
		wantErr bool
	}{
		{"a login without role claims has no roles", map[string]any{}, nil, false},
		{"a list claim gives every entry", map[string]any{"roles": []any{"wohngeld", "parkausweis"}}, []string{"wohngeld", "parkausweis"}, false},
		{"a string claim is split at spaces", map[string]any{"groups": "a b  c"}, []string{"a", "b", "c"}, false},
		{"a nested claim is reached by its dotted path", map[string]any{"realm_access": map[string]any{"roles": []any{"x"}}}, []string{"x"}, false},
		{"every named claim contributes, duplicates once", map[string]any{"roles": []any{"a", "b"}, "groups": "b c"}, []string{"a", "b", "c"}, false},
		{"a list of numbers is refused", map[string]any{"roles": []any{1.0}}, nil, true},
		{"an object is refused", map[string]any{"roles": map[string]any{"a": true}}, nil, true},
		{"an overlong role is refused", map[string]any{"roles": []any{strings.Repeat("r", 129)}}, nil, true},
		{"more than 64 roles are refused", map[string]any{"groups": strings.Repeat("r ", 64) + func() string {
			var b strings.Builder
			for i := range 65 {
				b.WriteString(" role" + string(rune('A'+i%26)) + string(rune('a'+i/26)))
			}
			return b.String()
		}()}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			for k, v := range tc.claims {
				c[k] = v
			}
			p, err := m.Principal(c, "https://idp.example", identity.DefaultACRMapping())
			if tc.wantErr {
				if !errors.Is(err, identity.ErrClaims) {
					t.Fatalf("err = %v, want ErrClaims", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Roles, tc.want) {
				t.Fatalf("roles = %q, want %q", p.Roles, tc.want)
			}
		})
	}
}
