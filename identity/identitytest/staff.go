package identitytest

import "github.com/ozgkit/ozgkit/identity"

// StaffRoleClaim is the claim in which the staff personas carry their roles.
const StaffRoleClaim = "roles"

// StaffPersonas returns test case workers (Sachbearbeiterinnen und Sachbearbeiter) of a
// municipality's own identity provider, for the authority side (ozg/casework). Their claims are
// OpenID Connect standard claims plus a "roles" list ([StaffRoleClaim]); map them with
// identity.StandardClaims() and Roles set to that claim. Their subject is the provider's own
// "kc-<id>".
//   - "sabine": Sabine Sachbearbeiterin, role "wohngeld";
//   - "tom": Tom Teamleiter, roles "wohngeld" and "parkausweis";
//   - "paula": Paula Praktikantin, no role: she may log in but sees no case.
func StaffPersonas() []Persona {
	staff := func(id, label, given, family string, roles ...string) Persona {
		r := make([]any, len(roles))
		for i, s := range roles {
			r[i] = s
		}
		return Persona{
			ID: id, Label: label, MaxLevel: identity.LevelSubstantial,
			Claims: map[string]any{
				"given_name": given, "family_name": family,
				"email": id + "@stadt-musterstadt.example", StaffRoleClaim: r,
			},
		}
	}
	return []Persona{
		staff("sabine", "Sabine Sachbearbeiterin (Wohngeld)", "Sabine", "Sachbearbeiterin", "wohngeld"),
		staff("tom", "Tom Teamleiter (Wohngeld, Parkausweis)", "Tom", "Teamleiter", "wohngeld", "parkausweis"),
		staff("paula", "Paula Praktikantin (ohne Rolle)", "Paula", "Praktikantin"),
		staff("otto", "Otto Operator (Betrieb: fehlgeschlagene Zustellungen)", "Otto", "Operator", "betrieb"),
	}
}
