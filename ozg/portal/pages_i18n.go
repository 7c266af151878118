package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ozgkit/ozgkit/identity"
)

// The pages speak German; English is available for every page. A text is written in German in
// the templates ({{t "..."}}, {{tf "... %s" x}}) and the Go code (tr, trf); english holds its
// English translation, keyed by the German text. A test checks that every German text has one.

// langCookie keeps the citizen's choice of language.
const langCookie = "lang"

// tr returns the German text de in lang.
func tr(lang, de string) string {
	if lang == "en" {
		if en, ok := english[de]; ok {
			return en
		}
	}
	return de
}

// trf formats the German format de, translated to lang, with a.
func trf(lang, de string, a ...any) string { return fmt.Sprintf(tr(lang, de), a...) }

// lang is the citizen's language: the lang cookie set by the language switch, else the first
// of German and English in Accept-Language, else German.
func (p *Pages) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "de" || c.Value == "en") {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks "de" or "en" from an Accept-Language header by quality, German when
// neither is asked for or on a tie. At most 32 entries are read.
func acceptLanguage(h string) string {
	best, bestQ := "de", 0.0
	for i, part := range strings.Split(h, ",") {
		if i == 32 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "de" && primary != "en" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > bestQ || q == bestQ && primary == "de" && q > 0 {
			best, bestQ = primary, q
		}
	}
	if bestQ == 0 {
		return "de"
	}
	return best
}

// switchLanguage sets the language cookie from a plain link and goes back to the page.
func (p *Pages) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang != "de" && lang != "en" {
		p.ErrorPage(w, r, http.StatusNotFound, "")
		return
	}
	ret := r.URL.Query().Get("zurueck")
	if !identity.LocalPath(ret) {
		ret = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

// english translates the pages' German texts.
var english = map[string]string{
	// the answer to a query (pages_reply.go, message.tmpl)
	"Ihre Antwort ist gesendet.":             "Your answer has been sent.",
	"Antwort erbeten bis":                    "Answer requested by",
	"Sie haben diese Rückfrage beantwortet.": "You have answered this question.",
	"Ihre Antwort ansehen":                   "View your answer",
	"Zur Rückfrage":                          "To the question",
	"Antworten":                              "Answer",
	"Bereits gesendet:":                      "Already sent:",
	"Sie haben die größte Zahl an Dateien für diesen Nachweis gesendet.": "You have sent the largest number of files for this evidence.",
	"Dateien für „%s“ auswählen (freiwillig)":                            "Choose files for \"%s\" (optional)",
	"Antwort senden":                    "Send answer",
	"Bitte schreiben Sie eine Antwort.": "Please write an answer.",
	"Die Antwort ist zu lang.":          "The answer is too long.",
	"Die Antwort enthält Zeichen, die nicht gesendet werden können.":                "The answer contains characters that cannot be sent.",
	"Zu dieser Rückfrage können Sie für diesen Nachweis %s senden.":                 "For this question you can send %s for this evidence.",
	"Diesen Nachweis erbittet die Rückfrage nicht, oder sie ist schon beantwortet.": "The question does not ask for this evidence, or it has been answered already.",
	" oder ":                             " or ",
	"%s Bytes":                           "%s bytes",
	"%s Dateien":                         "%s files",
	"%s ungelesene Nachrichten.":         "%s unread messages.",
	"%s, höchstens %s je Datei, %s":      "%s, at most %s per file, %s",
	"1 Datei":                            "1 file",
	"1 ungelesene Nachricht.":            "1 unread message.",
	"Abmelden":                           "Log out",
	"Aktenzeichen":                       "Reference number",
	"Angaben prüfen und Antrag absenden": "Check your answers and submit the application",
	"Angaben":                            "Details",
	"Angaben, die Ihr Nutzerkonto bestätigt, sind im Formular schon eingetragen. Sie können sie prüfen und ändern.": "What your user account confirms is already filled in on the form. You can check and change it.",
	"Angemeldet:":                   "Logged in:",
	"Anhänge":                       "Attachments",
	"Anmelden und lesen":            "Log in and read",
	"Anmeldung nicht abgeschlossen": "Login not completed",
	"Anmeldung reicht nicht aus":    "Login not sufficient",
	"Anmeldung":                     "Login",
	"Antrag absenden":               "Submit the application",
	"Antrag eingereicht":            "Application submitted",
	"Antrag starten":                "Start the application",
	"Antrag verbindlich absenden":   "Submit the application (binding)",
	"Antrag zurückziehen":           "Withdraw the application",
	"Antrag":                        "Application",
	"Art":                           "Kind",
	"Aufruf nicht möglich":          "Not possible",
	"Barrierefreiheitserklärung":    "Accessibility statement",
	"Basisregistrierung":            "basic registration",
	"Bearbeitungsdauer":             "Processing time",
	"Begonnene Anträge":             "Applications you have started",
	"Bescheid":                      "Decision notice",
	"Betreff":                       "Subject",
	"Bezahlen":                      "Pay",
	"Bezahlt":                       "Paid",
	"Bild":                          "image",
	"Bitte ergänzen Sie die Angaben über die Links „Ändern“ und „Bezahlen“ unten.":                                             "Please complete the application through the links \"Change\" and \"Pay\" below.",
	"Bitte wählen Sie eine Datei aus und laden Sie sie über das Formular hoch.":                                                "Please choose a file and upload it with the form.",
	"Bitte wählen Sie eine Datei aus.":                                                                                         "Please choose a file.",
	"Das Formular ist abgelaufen oder kam nicht von diesem Portal. Bitte laden Sie die Seite neu und versuchen Sie es erneut.": "The form has expired or did not come from this portal. Please reload the page and try again.",
	"Das Formular ist unvollständig angekommen. Bitte geben Sie Ihre Angaben erneut ein.":                                      "The form arrived incomplete. Please enter your details again.",
	"Das Formular ist unvollständig angekommen. Bitte senden Sie den Antrag erneut ab.":                                        "The form arrived incomplete. Please submit the application again.",
	"Das Formular ist unvollständig angekommen. Bitte versuchen Sie es erneut.":                                                "The form arrived incomplete. Please try again.",
	"Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.":                                                 "The form could not be read. Please try again.",
	"Das brauchen Sie":                      "What you need",
	"Das hat nicht geklappt":                "Something went wrong",
	"Datei für „%s“ auswählen":              "Choose a file for \"%s\"",
	"Datei":                                 "file",
	"Datenschutzerklärung":                  "Privacy notice",
	"Der Antrag ist noch nicht vollständig": "The application is not complete yet",
	"Der Antrag wurde geändert":             "The application has changed",
	"Der Antrag wurde inzwischen an anderer Stelle geändert. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben.":                              "The application has been changed elsewhere in the meantime. Please reload the page and check your details.",
	"Der Antrag wurde inzwischen an anderer Stelle geändert. Unten sehen Sie den gespeicherten Stand; bitte prüfen Sie ihn und speichern Sie erneut.": "The application has been changed elsewhere in the meantime. Below is what is saved; please check it and save again.",
	"Der Bezahldienst hat Ihre Zahlung von %s bestätigt.":                                                                                             "The payment service has confirmed your payment of %s.",
	"Der Bezahldienst hat das Ergebnis noch nicht bestätigt. Bitte laden Sie die Seite in einer Minute neu.":                                          "The payment service has not confirmed the result yet. Please reload the page in a minute.",
	"Der Bezahldienst hat keine Bezahlseite genannt. Bitte versuchen Sie es später erneut.":                                                           "The payment service gave no payment page. Please try again later.",
	"Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.":                                                 "The payment service cannot be reached right now. Please try again in a few minutes.",
	"Der Entwurf und seine Nachweise werden gelöscht.":                                                                                                "The draft and its evidence will be deleted.",
	"Die Anmeldung wurde abgebrochen oder ist fehlgeschlagen. Sie können es erneut versuchen.":                                                        "The login was cancelled or failed. You can try again.",
	"Die Bearbeitung dauert in der Regel etwa %s Tage.":                                                                                               "Processing usually takes about %s days.",
	"Die Behörde erfährt, dass Sie den Antrag zurückgezogen haben. Eine bezahlte Gebühr wird dadurch nicht automatisch erstattet.":                    "The authority will be told that you withdrew the application. A fee you paid is not refunded automatically.",
	"Die Datei ist leer. Bitte wählen Sie die richtige Datei aus.":                                                                                    "The file is empty. Please choose the right file.",
	"Die Datei ist nicht vollständig angekommen. Bitte versuchen Sie es erneut.":                                                                      "The file did not arrive in full. Please try again.",
	"Die Datei ist zu groß. Erlaubt sind höchstens %s je Datei.":                                                                                      "The file is too large. At most %s per file are allowed.",
	"Die Datei ist zu groß.": "The file is too large.",
	"Die Datei konnte gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es in einigen Minuten erneut.": "The file could not be checked for malware right now. Please try again in a few minutes.",
	"Die Datei konnte nicht angenommen werden.": "The file could not be accepted.",
	"Die Endung des Dateinamens passt nicht zum Inhalt der Datei. Bitte prüfen Sie, ob Sie die richtige Datei gewählt haben.":                     "The file name's extension does not match the file's content. Please check that you chose the right file.",
	"Die Gebühr ist vor dem Absenden zu bezahlen. Sie werden zur Bezahlseite des Bezahldienstes weitergeleitet und kommen danach hierher zurück.": "The fee is paid before you submit. You are taken to the payment service's page and come back here afterwards.",
	"Die Zahlung ist abgelaufen. Bitte starten Sie sie erneut.":                                                                                   "The payment has expired. Please start it again.",
	"Die Zahlung ist fehlgeschlagen. Bitte versuchen Sie es erneut, gern mit einer anderen Zahlungsart.":                                          "The payment failed. Please try again, perhaps with another payment method.",
	"Die Zahlung ist noch nicht abgeschlossen.":                                                                                                   "The payment is not complete yet.",
	"Die gesendeten Daten sind zu groß.":                                                                                                          "The data sent is too large.",
	"Diese Art von Datei wird hier nicht angenommen. Bitte laden Sie eine Datei dieser Art hoch: %s.":                                             "This kind of file is not accepted here. Please upload a file of this kind: %s.",
	"Diese Seite gibt es nicht, oder sie gehört nicht zu Ihrem Konto.":                                                                            "This page does not exist, or it does not belong to your account.",
	"Diese Seite kann so nicht aufgerufen werden. Bitte gehen Sie über die Links des Portals.":                                                    "This page cannot be opened this way. Please use the portal's links.",
	"Diesen Nachweis verlangt die Leistung nicht.":                                                                                                "The service does not ask for this evidence.",
	"E-Mail:": "Email:",
	"Ein beteiligter Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.": "A service involved cannot be reached right now. Please try again in a few minutes.",
	"Eine Eingangsbestätigung kommt in Ihr Postfach, sobald die Behörde den Antrag erhalten hat.":           "A confirmation of receipt arrives in your mailbox as soon as the authority has received the application.",
	"Eingang":                               "Received",
	"Eingangsbestätigung":                   "Confirmation of receipt",
	"Eingereichte Nachweise: %s":            "Evidence submitted: %s",
	"Entwurf verwerfen":                     "Discard the draft",
	"Entwurf vom %s weiter bearbeiten":      "Continue the draft of %s",
	"Entwurf":                               "draft",
	"Erneut anmelden und zu Ihren Anträgen": "Log in again and go to your applications",
	"Es gab zu viele Zahlungsversuche für diesen Antrag. Bitte wenden Sie sich an die zuständige Stelle.": "There were too many payment attempts for this application. Please contact the responsible office.",
	"Es gibt ein Problem": "There is a problem",
	"Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später erneut.": "A technical error occurred. Please try again later.",
	"Fehler: %s":          "Error: %s",
	"Fehler:":             "Error:",
	"Formular abgelaufen": "Form expired",
	"Für diesen Nachweis können Sie %s hochladen. Bitte löschen Sie zuerst eine Datei.": "For this evidence you can upload %s. Please delete a file first.",
	"GIF-Bild":          "GIF image",
	"Gebühr bezahlen":   "Pay the fee",
	"Gebühr":            "Fee",
	"Gebührengrundlage": "Fee schedule",
	"Gesperrte Nachricht: lesbar nach Anmeldung mit dem Vertrauensniveau %s.": "Locked message: readable after a login at the trust level %s.",
	"HEIC-Bild":       "HEIC image",
	"Hauptnavigation": "Main navigation",
	"Hier stellen Sie Anträge vollständig online: Sie melden sich mit Ihrem Nutzerkonto an, füllen das Formular aus, laden Nachweise hoch, bezahlen Gebühren und erhalten Eingangsbestätigung und Bescheid in Ihr Postfach.": "Apply fully online here: log in with your user account, fill in the form, upload evidence, pay fees, and receive the confirmation of receipt and the decision in your mailbox.",
	"Hochladen":        "Upload",
	"Ihr Aktenzeichen": "Your reference number",
	"Ihr Antrag „%s“ ist am %s eingegangen und wird an die zuständige Stelle übermittelt.": "Your application \"%s\" was received on %s and is being passed to the responsible office.",
	"Ihr Postfach ist leer.": "Your mailbox is empty.",
	"Ihre Anmeldung hat ein zu niedriges Vertrauensniveau für diese Seite. Bitte melden Sie sich mit einem höheren Vertrauensniveau an, zum Beispiel mit dem Online-Ausweis.": "Your login's trust level is too low for this page. Please log in at a higher trust level, for example with the online ID card.",
	"Ihre Anträge, die neuesten zuerst":                    "Your applications, newest first",
	"Ihre Antwort":                                         "Your reply",
	"Ihre Nachrichten, die neuesten zuerst":                "Your messages, newest first",
	"Ihre Zahlung von %s ist vermerkt (Kassenzeichen %s).": "Your payment of %s is recorded (payment reference %s).",
	"Im Schritt „%s“ fehlen Angaben oder sind fehlerhaft.": "In the step \"%s\", details are missing or wrong.",
	"Impressum": "Legal notice (Impressum)",
	"In der Datei wurde Schadsoftware gefunden. Sie wurde nicht gespeichert.": "Malware was found in the file. It was not stored.",
	"Interner Fehler":                "Internal error",
	"JPEG-Bild":                      "JPEG image",
	"Ja, Antrag zurückziehen":        "Yes, withdraw the application",
	"Jetzt %s bezahlen":              "Pay %s now",
	"Jetzt online beantragen":        "Apply online now",
	"Kassenzeichen: %s":              "Payment reference: %s",
	"Keine ungelesenen Nachrichten.": "No unread messages.",
	"Kosten und Dauer":               "Costs and time",
	"Laden Sie jeden Nachweis als Datei hoch. Fotos oder Scans sind in Ordnung, wenn alles gut lesbar ist.": "Upload each piece of evidence as a file. Photos or scans are fine if everything is easy to read.",
	"Leistung":                     "Service",
	"Leistungen online beantragen": "Apply for services online",
	"Leistungen":                   "Services",
	"Löschen":                      "Delete",
	"Mehr erfahren und beantragen": "Learn more and apply",
	"Mein Postfach":                "My mailbox",
	"Meine Anträge":                "My applications",
	"Mit dem Absenden übermitteln Sie Ihren Antrag verbindlich an die Behörde. Sie erhalten sofort ein Aktenzeichen und, sobald die Behörde den Antrag erhalten hat, eine Eingangsbestätigung in Ihr Postfach.": "Submitting sends your application to the authority as binding. You get a reference number at once and, as soon as the authority has received the application, a confirmation of receipt in your mailbox.",
	"Möchten Sie Ihren Antrag „%s“ zurückziehen?": "Do you want to withdraw your application \"%s\"?",
	"Nachricht": "Message",
	"Nachrichten der Behörde zu diesem Antrag finden Sie in Ihrem Postfach.": "Messages from the authority about this application are in your mailbox.",
	"Nachweise hochladen":                 "Upload evidence",
	"Nachweise":                           "Evidence",
	"Nein, zurück zum Antrag":             "No, back to the application",
	"Neuen Antrag starten":                "Start a new application",
	"Noch keine Angaben.":                 "No details yet.",
	"Noch keine Datei hochgeladen.":       "No file uploaded yet.",
	"Nutzerkonto (%s)":                    "User account (%s)",
	"OpenDocument-Text":                   "OpenDocument text",
	"PDF-Dokument":                        "PDF document",
	"PNG-Bild":                            "PNG image",
	"Prüfen und absenden":                 "Check and submit",
	"Rechtsgrundlage":                     "Legal basis",
	"Rückfrage":                           "Query",
	"Schnittstelle (OpenAPI)":             "Interface (OpenAPI)",
	"Schritt %d von %d":                   "Step %d of %d",
	"Schritte des Antrags":                "Steps of the application",
	"Seite nicht gefunden":                "Page not found",
	"Sie haben den Antrag zurückgezogen.": "You have withdrawn the application.",
	"Sie haben die Zahlung abgebrochen. Sie können es erneut versuchen.":    "You cancelled the payment. You can try again.",
	"Sie haben die größte Zahl an Dateien für diesen Nachweis hochgeladen.": "You have uploaded the largest number of files for this evidence.",
	"Sie haben noch keinen Antrag gestellt.":                                "You have not applied for anything yet.",
	"Sie melden sich dazu mit Ihrem Nutzerkonto an.":                        "You log in with your user account for this.",
	"Stand des Antrags ansehen":                                             "See where the application stands",
	"Stand":                                                                 "Status",
	"Statusmeldung":                                                         "Status update",
	"TIFF-Bild":                                                             "TIFF image",
	"Telefon:":                                                              "Phone:",
	"Textdatei":                                                             "text file",
	"Verlauf":                                                               "History",
	"Von":                                                                   "From",
	"WebP-Bild":                                                             "WebP image",
	"Website der Behörde":                                                   "The authority's website",
	"Weiter":                                                                "Continue",
	"Wie es weitergeht":                                                     "What happens next",
	"Word-Dokument":                                                         "Word document",
	"XML-Datei":                                                             "XML file",
	"ZIP-Archiv":                                                            "ZIP archive",
	"Zu den Leistungen":                                                     "To the services",
	"Zuletzt geändert":                                                      "Last changed",
	"Zum Antrag":                                                            "To the application",
	"Zum Inhalt springen":                                                   "Skip to content",
	"Zum Postfach":                                                          "To the mailbox",
	"Zur Startseite":                                                        "To the start page",
	"Zurück zum Postfach":                                                   "Back to the mailbox",
	"Zurück zum vorigen Schritt":                                            "Back to the previous step",
	"Zuständig ist: %s. Bitte geben Sie bei Rückfragen Ihr Aktenzeichen an.": "Responsible: %s. Please give your reference number with any question.",
	"Zuständig":                   "Responsible",
	"Zuständige Stelle":           "Responsible office",
	"als Datei":                   "as a file",
	"als Datei, falls vorhanden":  "as a file, if you have it",
	"bei der Behörde eingegangen": "received by the authority",
	"beschieden":                  "decided",
	"bezahlt":                     "paid",
	"bis zu %s Dateien":           "up to %s files",
	"ein Nutzerkonto mit dem Vertrauensniveau": "a user account at the trust level",
	"eingereicht":  "submitted",
	"etwa %s Tage": "about %s days",
	"etwa 10 Minuten für das Formular; Sie können jederzeit unterbrechen, Ihre Angaben werden gespeichert": "about 10 minutes for the form; you can stop at any time, your details are saved",
	"hoch (Online-Ausweis)":               "high (online ID card)",
	"hoch":                                "high",
	"höchstens 1 Datei":                   "at most 1 file",
	"in Bearbeitung":                      "being processed",
	"in der Regel etwa %s Tage":           "usually about %s days",
	"keine Angabe":                        "not stated",
	"keine Anmeldung":                     "no login",
	"keine Datei":                         "no file",
	"keine":                               "none",
	"neu":                                 "new",
	"nicht angenommen, bitte löschen":     "not accepted, please delete",
	"niedrig":                             "low",
	"noch nicht bezahlt":                  "not paid yet",
	"online vor dem Absenden zu bezahlen": "paid online before you submit",
	"optional":                            "optional",
	"substanziell (ELSTER oder Online-Ausweis)": "substantial (ELSTER or online ID card)",
	"substanziell":                        "substantial",
	"unbekannt":                           "unknown",
	"wird auf Schadsoftware geprüft":      "being checked for malware",
	"wird später von der Behörde erhoben": "charged later by the authority",
	"zurückgewiesen":                      "rejected",
	"zurückgezogen":                       "withdrawn",
	"Ältere Nachrichten":                  "Older messages",
	"Ändern":                              "Change",
}
