package fim

import (
	"fmt"
	"regexp"
	"strings"
)

// A rule (Regel) of XDatenfelder is free text for people (definition, freitextRegel) and,
// sometimes, a script. JSON Schema can express only some of them; the import recognises the
// phrasings below and lists every other rule in Result.NotEnforced.

// onlyIf matches the FIM phrasing "„F1 …“, „F2 …“ sind nur dann zu befüllen, wenn „F3 …“
// bejaht wurde": the fields before may only be filled when the yes/no field after is yes.
var onlyIf = regexp.MustCompile(`(?is)^(.*?)\b(?:ist|sind)\s+nur\s+dann\s+zu\s+bef(?:ü|ue)llen,?\s+wenn\s+(.*?)\s+bejaht\s+(?:wurde|wird)\.?$`)

var elementID = regexp.MustCompile(`\b[FG]\d+\b`)

// ruleText returns the rule's text for people and its script.
func ruleText(rn *node) (text, script string) {
	text = firstNonEmpty(rn.value("freitextRegel"), rn.value("definition"), rn.value("beschreibung"))
	script = firstNonEmpty(rn.value("skript"), rn.value("script"))
	return text, script
}

func ruleShown(text, script string) string {
	if script == "" {
		return text
	}
	return joinText(text, "Skript: "+script)
}

// isAtLeastOne reports whether a rule is FIM's "MindestEineAngabe" (R60000037): at least
// one field of the group is filled.
func isAtLeastOne(rn *node, r Ref) bool {
	name := strings.ToLower(strings.Join(strings.Fields(rn.value("name")), ""))
	return strings.HasPrefix(r.ID, "R60000037") || name == "mindesteineangabe" || name == "mindestenseineangabe"
}

// objectRules applies the rules of a Stammdatenschema or Datenfeldgruppe to its schema o.
// keyOf maps the FIM ids of its direct children to property names, kinds the property names
// of fields to their Datentyp.
func (im *importer) objectRules(o *obj, n *node, owner Ref, ptr string, keyOf, kinds map[string]string) error {
	var ids []Ref
	for _, rn := range n.all("regel") {
		r := ref(rn)
		if r.ID == "" {
			return invalid(rn, "no <xdf:identifikation><xdf:id>")
		}
		ids = append(ids, r)
		text, script := ruleText(rn)
		if isAtLeastOne(rn, r) {
			if len(keyOf) == 0 {
				im.gap(GapRule, r, ptr, rn, ruleShown(text, script), "at least one entry (MindestEineAngabe) in %s %s, which has no fields; not enforced", kindOf(n), owner.ID)
				continue
			}
			o.set("minProperties", 1)
			continue
		}
		if reason := im.onlyIfRule(o, text, keyOf, kinds); reason == "" {
			continue
		} else if reason != "-" {
			im.gap(GapRule, r, ptr, rn, ruleShown(text, script), "%s", reason)
			continue
		}
		im.gap(GapRule, r, ptr, rn, ruleShown(text, script), "rule of %s %s is free text%s that JSON Schema cannot express; check it in the back office", kindOf(n), owner.ID, scriptNote(script))
	}
	if len(ids) > 0 {
		o.sub("x-fim").set("rules", ids)
	}
	return nil
}

func scriptNote(script string) string {
	if script == "" {
		return ""
	}
	return " with a script"
}

func kindOf(n *node) string {
	switch n.name {
	case "datenfeldgruppe":
		return "group"
	case "datenfeld":
		return "field"
	}
	return "schema"
}

// onlyIfRule applies an "only if … bejaht" rule as dependentSchemas: each named field
// requires the yes/no field to be true. It returns "" when applied, "-" when the text is not
// such a rule, or why it could not be applied.
func (im *importer) onlyIfRule(o *obj, text string, keyOf, kinds map[string]string) string {
	m := onlyIf.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return "-"
	}
	deps := elementID.FindAllString(m[1], -1)
	conds := elementID.FindAllString(m[2], -1)
	if len(deps) == 0 || len(conds) != 1 {
		return "the rule names its fields in a way the import does not read; not enforced"
	}
	cond, ok := keyOf[conds[0]]
	if !ok {
		return fmt.Sprintf("%s is not a field of this group; not enforced", conds[0])
	}
	if kinds[cond] != "bool" {
		return fmt.Sprintf("%s is not a yes/no field (Datentyp bool); not enforced", conds[0])
	}
	var keys []string
	for _, d := range deps {
		k, ok := keyOf[d]
		if !ok {
			return fmt.Sprintf("%s is not a field or group of this group; not enforced", d)
		}
		keys = append(keys, k)
	}
	ds := o.sub("dependentSchemas")
	for _, k := range keys {
		ds.set(k, newObj().
			set("properties", newObj().set(cond, newObj().set("const", true))).
			set("required", []string{cond}))
	}
	return ""
}

// fieldRules lists the rules of a single field: they concern more than the field (or they
// would be constraints), and JSON Schema on the field alone cannot express them.
func (im *importer) fieldRules(el *node, owner Ref, ptr string) {
	for _, rn := range el.all("regel") {
		r := ref(rn)
		text, script := ruleText(rn)
		im.gap(GapRule, r, ptr, rn, ruleShown(text, script), "rule of field %s is free text%s that JSON Schema cannot express; check it in the back office", owner.ID, scriptNote(script))
	}
}
