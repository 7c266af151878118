package casework

import (
	"github.com/ozgkit/ozgkit/ozg"
)

// texts are the pages' words in German and English.
var texts = map[string][2]string{
	"app":                 {"Sachbearbeitung", "Case work"},
	"skip":                {"Zum Inhalt springen", "Skip to content"},
	"logged-in-as":        {"Angemeldet:", "Logged in:"},
	"logout":              {"Abmelden", "Log out"},
	"inbox":               {"Posteingang", "Inbox"},
	"filter":              {"Filtern", "Filter"},
	"state":               {"Status", "State"},
	"all-states":          {"Alle Status", "All states"},
	"service":             {"Leistung", "Service"},
	"all-services":        {"Alle Leistungen", "All services"},
	"reference":           {"Aktenzeichen", "Reference"},
	"reference-hint":      {"Ganz oder den Anfang, z. B. WOHNGELD-2026", "Whole or its start, e.g. WOHNGELD-2026"},
	"cases-caption":       {"Eingegangene Anträge, neueste zuerst", "Received applications, newest first"},
	"received":            {"Eingang", "Received"},
	"submitted":           {"Eingereicht", "Submitted"},
	"evidence":            {"Nachweise", "Evidence"},
	"no-cases":            {"Keine Anträge gefunden.", "No applications found."},
	"paging":              {"Seiten", "Pages"},
	"first-page":          {"Zur ersten Seite", "First page"},
	"next-page":           {"Ältere Anträge", "Older applications"},
	"errors-title":        {"Bitte prüfen Sie Ihre Eingaben", "Please check your input"},
	"back-to-inbox":       {"Zurück zum Posteingang", "Back to the inbox"},
	"login":               {"Anmeldung des Antragstellers", "Applicant's login"},
	"summary-pdf":         {"Antragsübersicht (PDF)", "Application summary (PDF)"},
	"actions":             {"Aktionen", "Actions"},
	"accept":              {"Annehmen", "Accept"},
	"accept-hint":         {"Der Antrag wird zur Bearbeitung angenommen; der Antragsteller erfährt es im Postfach.", "The application is accepted for processing; the applicant is told in the mailbox."},
	"reject":              {"Zurückweisen", "Reject"},
	"reason":              {"Begründung für den Antragsteller", "Reason for the applicant"},
	"ask":                 {"Rückfrage stellen", "Ask a question"},
	"question":            {"Ihre Frage oder Nachforderung", "Your question or request for documents"},
	"due":                 {"Antwort erbeten bis (freiwillig)", "Answer requested by (optional)"},
	"send-question":       {"Rückfrage senden", "Send question"},
	"decide":              {"Bescheid erteilen", "Issue the decision"},
	"decision-text":       {"Text des Bescheids", "Text of the decision"},
	"decision-hint":       {"Entscheidung, Begründung und Rechtsbehelfsbelehrung. Der Bescheid geht als PDF in das Postfach.", "Decision, reasons and information on legal remedies. The decision goes to the mailbox as a PDF."},
	"issue-decision":      {"Bescheid erteilen und zustellen", "Issue and deliver the decision"},
	"no-actions":          {"Für diesen Antrag sind keine Aktionen mehr möglich.", "No further actions are possible for this application."},
	"application-data":    {"Angaben im Antrag", "Application data"},
	"no-data":             {"Keine Angaben.", "No data."},
	"evidence-caption":    {"Eingereichte Nachweise", "Submitted evidence"},
	"requirement":         {"Nachweis", "Evidence"},
	"file":                {"Datei", "File"},
	"type-size":           {"Art, Größe", "Type, size"},
	"no-evidence":         {"Keine Nachweise eingereicht.", "No evidence submitted."},
	"payment":             {"Zahlung", "Payment"},
	"amount":              {"Betrag", "Amount"},
	"method":              {"Zahlungsart", "Method"},
	"pay-status":          {"Status der Zahlung", "Payment status"},
	"kassenzeichen":       {"Kassenzeichen", "Payment reference"},
	"transaction":         {"Transaktion", "Transaction"},
	"no-payment":          {"Keine Gebühr online bezahlt.", "No fee paid online."},
	"queries":             {"Rückfragen und Antworten", "Questions and answers"},
	"no-queries":          {"Noch keine Rückfragen.", "No questions yet."},
	"history":             {"Verlauf (Protokoll)", "History (audit trail)"},
	"citizen":             {"Antragsteller", "Applicant"},
	"system":              {"System", "System"},
	"err-required":        {"Bitte füllen Sie dieses Feld aus.", "Please fill in this field."},
	"err-too-long":        {"Der Text ist zu lang (höchstens 20.000 Zeichen).", "The text is too long (at most 20,000 characters)."},
	"err-invalid":         {"Die Eingabe ist ungültig.", "The input is invalid."},
	"err-past":            {"Das Datum liegt in der Vergangenheit.", "The date is in the past."},
	"err-state":           {"Bitte wählen Sie einen der angebotenen Status.", "Please choose one of the states offered."},
	"err-service":         {"Bitte wählen Sie eine der angebotenen Leistungen.", "Please choose one of the services offered."},
	"err-az":              {"Ein Aktenzeichen besteht aus Buchstaben, Ziffern und / . _ - (höchstens 64 Zeichen).", "A reference consists of letters, digits and / . _ - (at most 64 characters)."},
	"err-cursor":          {"Dieser Seitenverweis ist ungültig; die Liste beginnt von vorn.", "This page link is invalid; the list starts again."},
	"done-accepted":       {"Der Antrag ist angenommen. Der Antragsteller wurde benachrichtigt.", "The application is accepted. The applicant has been told."},
	"done-rejected":       {"Der Antrag ist zurückgewiesen. Der Antragsteller wurde benachrichtigt.", "The application is rejected. The applicant has been told."},
	"done-query":          {"Die Rückfrage ist im Postfach des Antragstellers.", "The question is in the applicant's mailbox."},
	"done-decided":        {"Der Bescheid ist erteilt und im Postfach des Antragstellers.", "The decision is issued and in the applicant's mailbox."},
	"conflict-title":      {"Diese Aktion ist nicht mehr möglich", "This action is no longer possible"},
	"conflict-text":       {"Der Antrag ist inzwischen im Status „%s“ – vermutlich wurde die Aktion schon ausgeführt, in einem anderen Fenster oder von einer Kollegin oder einem Kollegen. Es wurde nichts doppelt versandt.", "The application is now in state “%s” – the action was probably taken already, in another window or by a colleague. Nothing was sent twice."},
	"back-to-case":        {"Zurück zum Antrag", "Back to the application"},
	"notfound-title":      {"Antrag nicht gefunden", "Application not found"},
	"notfound-text":       {"Diesen Antrag gibt es nicht, oder er gehört zu einer Leistung, die Ihnen nicht zugewiesen ist.", "This application does not exist, or it belongs to a service not assigned to you."},
	"forbidden-title":     {"Keine Leistung zugewiesen", "No service assigned"},
	"forbidden-text":      {"Ihrer Anmeldung ist keine Rolle zugeordnet, die Ihnen eine Leistung dieser Behörde zuweist. Bitte wenden Sie sich an Ihre Administration.", "Your login carries no role that assigns you a service of this authority. Please ask your administrators."},
	"refused-title":       {"Anfrage abgelehnt", "Request refused"},
	"refused-text":        {"Die Anfrage kam nicht von dieser Seite und wurde darum nicht ausgeführt. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.", "The request did not come from this site and was not carried out. Please reload the page and try again."},
	"error-title":         {"Ein Fehler ist aufgetreten", "An error occurred"},
	"error-text":          {"Die Aktion konnte nicht ausgeführt werden. Bitte versuchen Sie es später noch einmal.", "The action could not be carried out. Please try again later."},
	"decision-template":   {"Ihrem Antrag wird stattgegeben.\n\nBegründung:\n\n\nRechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.", "Ihrem Antrag wird stattgegeben.\n\nBegründung:\n\n\nRechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden."},
	"act-received":        {"Eingegangen", "Received"},
	"act-accepted":        {"Angenommen", "Accepted"},
	"act-rejected":        {"Zurückgewiesen", "Rejected"},
	"act-query":           {"Rückfrage gestellt", "Question asked"},
	"act-reply":           {"Antwort des Antragstellers", "Applicant's answer"},
	"act-decided":         {"Bescheid erteilt", "Decision issued"},
	"act-evidence-opened": {"Nachweis geöffnet", "Evidence opened"},
	"act-summary-opened":  {"Antragsübersicht geöffnet", "Summary opened"},
	"act-withdrawn":       {"Vom Antragsteller zurückgezogen", "Withdrawn by the applicant"},
	"state-draft":         {"Entwurf", "Draft"},
	"state-submitted":     {"Eingereicht", "Submitted"},
	"state-delivered":     {"Neu eingegangen", "New"},
	"state-accepted":      {"In Bearbeitung", "In progress"},
	"state-rejected":      {"Zurückgewiesen", "Rejected"},
	"state-decided":       {"Beschieden", "Decided"},
	"state-withdrawn":     {"Zurückgezogen", "Withdrawn"},
}

// tr returns the text of key in lang; an unknown key is returned as it is.
func tr(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// inboxStates are the states a case in the inbox can have, in the order of the filter.
var inboxStates = []ozg.State{ozg.StateDelivered, ozg.StateAccepted, ozg.StateDecided, ozg.StateRejected, ozg.StateWithdrawn}
