// Package fim imports forms defined as FIM Stammdatenschemata (Föderales
// Informationsmanagement, Baustein Datenfelder) in XDatenfelder 2.0 or 3.0 into a JSON Schema
// (draft 2020-12) with the UI hints package forms understands, so that a schema published in
// the FIM catalogue becomes a form of ozgkit without writing it by hand.
//
// # What becomes what
//
//   - The Stammdatenschema is the root object; each Datenfeldgruppe (group, G…) an object,
//     each Datenfeld (field, F…) a property. Property names are the FIM ids, and every node
//     carries an "x-fim" annotation with id, version and cardinality, so that a submission
//     maps back to FIM field by field.
//   - Top-level groups become steps (pages); runs of top-level fields between them one step
//     each. A form without top-level groups is one page.
//   - Cardinalities (anzahl "min:max"): min ≥ 1 makes the property required; max > 1 or "*"
//     makes it an array with minItems and maxItems.
//   - Bezeichnung Eingabe is the label ("title"), Hilfetext Eingabe the help ("description").
//   - Datentypen: text → string; text_latin → string with a pattern for the Latin characters
//     of DIN SPEC 91379 (an approximation by Unicode blocks); date → format date; time → a
//     pattern for "hh:mm" and "hh:mm:ss"; datetime → format date-time; bool → boolean;
//     num → number; num_int → integer; num_currency → number with multipleOf 0.01; file and
//     obj → an evidence requirement (Result.Evidence), not a property.
//   - Präzisierung: minLength, maxLength and pattern for texts (XSD patterns match the whole
//     value, so they are anchored), minValue and maxValue as minimum and maximum for numbers.
//   - Code lists: inline values (XDatenfelder 3 werte) or the values given in
//     Options.CodeLists for the list's URI (see ReadGenericode) become an "enum" with
//     "x-ui" enumLabels. XDatenfelder 2 exports only name their lists.
//   - Feldart label: the text joins the description of the enclosing group and is kept in
//     its "x-fim" texts. hidden and locked: "readOnly", never required, preset value
//     (Inhalt) as "default".
//   - Regeln: "MindestEineAngabe" (R60000037) becomes minProperties 1; "„F…“ sind nur dann
//     zu befüllen, wenn „F…“ bejaht wurde" becomes dependentSchemas on the group. Any other
//     rule, and anything else the schema does not enforce, is listed in Result.NotEnforced
//     with the element, the JSON pointer and the line of the export.
//
// # Limits
//
// Exports are read whole but bounded in size, element count and nesting depth ([Options]); a
// DTD is refused, so no entity is ever expanded. Errors are [*Error] values naming the element
// and line.
//
// cmd/fim2form prints the schema of an export on the command line.
package fim
