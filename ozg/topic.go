package ozg

// Topic is one of the 14 OZG Themenfelder into which the OZG catalogue sorts services.
type Topic string

// The 14 OZG Themenfelder.
const (
	TopicArbeitRuhestand     Topic = "arbeit-ruhestand"     // Arbeit & Ruhestand
	TopicBauenWohnen         Topic = "bauen-wohnen"         // Bauen & Wohnen
	TopicBildung             Topic = "bildung"              // Bildung
	TopicEinAuswanderung     Topic = "ein-auswanderung"     // Ein- & Auswanderung
	TopicEngagementHobby     Topic = "engagement-hobby"     // Engagement & Hobby
	TopicFamilieKind         Topic = "familie-kind"         // Familie & Kind
	TopicForschungFoerderung Topic = "forschung-foerderung" // Forschung & Förderung
	TopicGesundheit          Topic = "gesundheit"           // Gesundheit
	TopicMobilitaetReisen    Topic = "mobilitaet-reisen"    // Mobilität & Reisen
	TopicQuerschnitt         Topic = "querschnitt"          // Querschnitt
	TopicRechtOrdnung        Topic = "recht-ordnung"        // Recht & Ordnung
	TopicSteuernZoll         Topic = "steuern-zoll"         // Steuern & Zoll
	TopicUmwelt              Topic = "umwelt"               // Umwelt
	TopicUnternehmen         Topic = "unternehmensfuehrung" // Unternehmensführung & -entwicklung
)

var topicTitles = map[Topic]string{
	TopicArbeitRuhestand:     "Arbeit & Ruhestand",
	TopicBauenWohnen:         "Bauen & Wohnen",
	TopicBildung:             "Bildung",
	TopicEinAuswanderung:     "Ein- & Auswanderung",
	TopicEngagementHobby:     "Engagement & Hobby",
	TopicFamilieKind:         "Familie & Kind",
	TopicForschungFoerderung: "Forschung & Förderung",
	TopicGesundheit:          "Gesundheit",
	TopicMobilitaetReisen:    "Mobilität & Reisen",
	TopicQuerschnitt:         "Querschnitt",
	TopicRechtOrdnung:        "Recht & Ordnung",
	TopicSteuernZoll:         "Steuern & Zoll",
	TopicUmwelt:              "Umwelt",
	TopicUnternehmen:         "Unternehmensführung & -entwicklung",
}

// Topics returns the 14 Themenfelder in the catalogue's order.
func Topics() []Topic {
	return []Topic{
		TopicArbeitRuhestand, TopicBauenWohnen, TopicBildung, TopicEinAuswanderung,
		TopicEngagementHobby, TopicFamilieKind, TopicForschungFoerderung, TopicGesundheit,
		TopicMobilitaetReisen, TopicQuerschnitt, TopicRechtOrdnung, TopicSteuernZoll,
		TopicUmwelt, TopicUnternehmen,
	}
}

// Valid reports whether t is one of the 14 Themenfelder.
func (t Topic) Valid() bool { _, ok := topicTitles[t]; return ok }

// Title returns the Themenfeld's German title, e.g. "Bauen & Wohnen", or "" for an unknown topic.
func (t Topic) Title() string { return topicTitles[t] }
