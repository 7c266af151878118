package casework

// requestTexts are the words of the Nachforderung (questions that ask for evidence, the files
// sent later) and of the pages that answer the staff gate's refusals, in German and English.
var requestTexts = map[string][2]string{
	"act-evidence-requested": {"Nachweis nachgefordert", "Evidence requested"},
	"act-evidence-received":  {"Nachweis nachgereicht", "Evidence sent"},
	"ask-evidence":           {"Nachweise nachfordern (freiwillig)", "Ask for evidence (optional)"},
	"ask-evidence-hint":      {"Der Antragsteller kann zu jedem gewählten Nachweis mit seiner Antwort Dateien senden.", "The applicant can send files for each evidence chosen with the answer."},
	"received-evidence":      {"Nachgereichte Nachweise", "Evidence sent later"},
	"received-caption":       {"Dateien, die der Antragsteller auf Rückfragen gesendet hat", "Files the applicant sent in answer to questions"},
	"no-received":            {"Noch keine Nachweise nachgereicht.", "No evidence sent later yet."},
	"received-at":            {"Eingang", "Received"},
	"back-to-page":           {"Zurück zur Seite", "Back to the page"},
	"not-clean-title":        {"Datei noch nicht freigegeben", "File not released yet"},
	"not-clean-text":         {"Die Datei ist noch nicht auf Schadsoftware geprüft oder wurde nicht freigegeben. Bitte versuchen Sie es in einigen Minuten erneut.", "The file has not been checked for malware yet, or it was not released. Please try again in a few minutes."},
	"csrf-title":             {"Formular abgelaufen", "Form expired"},
	"csrf-text":              {"Das Formular ist abgelaufen oder kam nicht von dieser Seite; es wurde nichts ausgeführt. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.", "The form expired or did not come from this site; nothing was carried out. Please reload the page and try again."},
	"login-title":            {"Anmeldung nötig", "Login needed"},
	"login-text":             {"Ihre Anmeldung ist abgelaufen oder wurde abgebrochen; es wurde nichts ausgeführt. Bitte melden Sie sich erneut an.", "Your login expired or was cancelled; nothing was carried out. Please log in again."},
	"level-title":            {"Anmeldung reicht nicht aus", "Login not strong enough"},
	"level-text":             {"Ihre Anmeldung hat ein zu niedriges Vertrauensniveau für diese Seite. Bitte melden Sie sich erneut an.", "Your login has too low a trust level for this page. Please log in again."},
	"unavailable-title":      {"Vorübergehend nicht erreichbar", "Temporarily unavailable"},
	"unavailable-text":       {"Die Anmeldung kann gerade nicht geprüft werden. Bitte versuchen Sie es in einigen Minuten erneut.", "The login cannot be checked right now. Please try again in a few minutes."},
}
