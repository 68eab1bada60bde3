package handlers_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"mitidportal/markdown"
	"mitidportal/support"
)

// formEntry is one POST route of the input table: its text fields and how to reach it.
type formEntry struct {
	fields []string                                 // every text field, select and radio group the route reads
	valid  url.Values                               // a valid value of each field, so only the attacked one is wrong
	json   bool                                     // the route takes JSON from the chip or app script, not a form
	as     func(*inputFixture, *testing.T) *browser // a browser in the state the route needs
	path   func(*inputFixture) string               // the concrete path; nil is the route's own
	none   string                                   // why the route has no text field to attack
	upload string                                   // a streamed upload: a valid file, sent after the fields (postFields)
}

// formEntries are all POST routes of the portal. TestEveryFormRefusesBadText fails for a POST
// route missing here, so a new form cannot be left out.
func formEntries() map[string]formEntry {
	anon, citizen := (*inputFixture).anonymous, (*inputFixture).asCitizen
	agent, admin := (*inputFixture).asAgent, (*inputFixture).asAdmin
	raOfficer := (*inputFixture).asRAOfficer
	chipPath := func(fx *inputFixture) string { return strconv.FormatInt(fx.chip.ID, 10) }
	casePath := func(tail string) func(*inputFixture) string {
		return func(fx *inputFixture) string { return "/medarbejder/sager/" + fx.cs.Ref + tail }
	}
	cardPath := func(tail string) func(*inputFixture) string {
		return func(fx *inputFixture) string {
			return "/medarbejder/borger/" + strconv.FormatInt(fx.citizen.ID, 10) + tail
		}
	}
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	meetingFields := []string{"meeting_title_da", "meeting_title_en", "meeting_audience", "meeting_date",
		"start_time", "end_time", "place", "video_url", "agenda_da", "agenda_en", "capacity", "deadline_date", "deadline_time"}
	meetingValid := v("meeting_title_da", "Møde", "meeting_title_en", "Meeting", "meeting_audience", "private", "meeting_date", "24-03-2030",
		"start_time", "10:00", "end_time", "12:00", "place", "Her", "capacity", "20", "deadline_date", "20-03-2030", "deadline_time", "12:00")
	webAuthn := "the WebAuthn answer, parsed and verified by go-webauthn; no text is stored"
	signed := "numbers and a signature checked against the device key; no text is stored"
	return map[string]formEntry{
		"/log-ud":                                  {none: "no fields"},
		"/log-ind":                                 {fields: []string{"username"}, as: anon},
		"/log-ind/kode":                            {fields: []string{"password", "code"}, valid: v("password", "x", "code", "123456"), as: (*inputFixture).loggingIn},
		"/opret":                                   {fields: []string{"cpr", "name", "document"}, valid: v("cpr", "010203-1234", "name", "Bo", "document", "123"), as: anon},
		"/opret/kode":                              {fields: []string{"cpr", "code"}, valid: v("cpr", "010203-1234", "code", "ABCD-EFGH-JKMN"), as: (*inputFixture).creating},
		"/aktiver":                                 {fields: []string{"cpr", "code"}, valid: v("cpr", "010203-1234", "code", "ABCD-EFGH-JKMN"), as: anon},
		"/glemt/brev":                              {fields: []string{"cpr", "name", "document"}, valid: v("cpr", "010203-1234", "name", "Bo", "document", "123"), as: anon},
		"/opret/bruger":                            {fields: []string{"username", "password", "password_repeat"}, valid: v("username", "bo.b", "password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: (*inputFixture).creating},
		"/opret/kodeviser":                         {fields: []string{"serial", "code"}, valid: v("serial", "KV1", "code", "123456"), as: (*inputFixture).creating},
		"/aktiver/gendan":                          {fields: []string{"situation", "password", "password_repeat"}, valid: v("situation", "forgot_password", "password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: (*inputFixture).recovering},
		"/aktiver/ophaev":                          {fields: []string{"password", "password_repeat"}, valid: v("password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: (*inputFixture).recovering},
		"/spaer":                                   {fields: []string{"username", "cpr", "reason"}, valid: v("username", "bo", "cpr", "010203-1234", "reason", "lost", "consent", "yes"), as: anon},
		"/mitid/middel/:id/omdoeb":                 {fields: []string{"label"}, as: citizen, path: func(fx *inputFixture) string { return "/mitid/middel/" + chipPath(fx) + "/omdoeb" }},
		"/mitid/middel/:id/spaer":                  {fields: []string{"reason"}, as: citizen, path: func(fx *inputFixture) string { return "/mitid/middel/" + chipPath(fx) + "/spaer" }},
		"/mitid/middel/:id/fjern":                  {none: "a button: no fields"},
		"/mitid/middel/:id/ophaev":                 {none: "a button: no fields"},
		"/mitid/kodeviser/tilfoej":                 {fields: []string{"serial", "code"}, valid: v("serial", "KV1", "code", "123456"), as: citizen},
		"/mitid/adgangskode":                       {fields: []string{"password", "password_repeat"}, valid: v("password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: citizen},
		"/mitid/brugernavn":                        {fields: []string{"username"}, as: citizen},
		"/mitid/sessioner/log-ud-alle":             {none: "a button: no fields"},
		"/mitid/post/:id/aabn":                     {none: "a button: the letter's id is in the path"},
		"/mitid/spaer":                             {fields: []string{"reason"}, as: citizen},
		"/log-ind/chip/begin":                      {fields: []string{"password"}, json: true, as: (*inputFixture).loggingIn},
		"/log-ind/chip/finish":                     {none: webAuthn},
		"/mitid/chip/tilfoej/begin":                {fields: []string{"label"}, json: true, as: citizen},
		"/mitid/chip/tilfoej/finish":               {none: webAuthn},
		"/opret/chip/begin":                        {fields: []string{"label"}, json: true, as: (*inputFixture).creating},
		"/opret/chip/finish":                       {none: webAuthn},
		"/app/par":                                 {fields: []string{"code", "name", "publicKey"}, valid: v("code", "ABCD-EFGH", "name", "Telefon", "publicKey", "AAAA"), json: true, as: anon},
		"/app/anmodninger":                         {none: signed},
		"/app/svar":                                {none: signed},
		"/mitid/app/tilfoej":                       {none: "a button: no fields"},
		"/opret/app":                               {none: "a button: no fields"},
		"/log-ind/app":                             {none: "a button: no fields"},
		"/log-ind/app/fuldfoer":                    {none: "a button: no fields"},
		"/kontakt/bekraeft/:token":                 {none: "a button: the token is in the path (checked by TestQueryParametersRefuseBadText)"},
		"/kontakt/skriv":                           {fields: []string{"system", "category", "subject", "message", "name", "email"}, valid: v("system", "mitid", "category", "login", "subject", "Hej", "message", "Tekst", "name", "Bo", "email", "bo@example.dk"), as: anon},
		"/mitid/sager/:ref/svar":                   {fields: []string{"message"}, as: citizen, path: func(fx *inputFixture) string { return "/mitid/sager/" + fx.cs.Ref + "/svar" }},
		"/medarbejder/log-ind":                     {fields: []string{"email", "password"}, valid: v("email", "alma@styrelsen.dk", "password", "x"), as: anon},
		"/medarbejder/log-ind/noegle/begin":        {none: "a button: the password step's account is in the session"},
		"/medarbejder/log-ind/noegle/finish":       {none: webAuthn},
		"/medarbejder/tilmeld":                     {fields: []string{"password", "password_repeat"}, valid: v("password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: (*inputFixture).enrolling},
		"/medarbejder/tilmeld/:token":              {fields: []string{"password", "password_repeat"}, valid: v("password", "Lang-Saetning-9", "password_repeat", "Lang-Saetning-9"), as: (*inputFixture).anonymous, path: func(fx *inputFixture) string { return "/medarbejder/tilmeld/" + fx.enrolToken }},
		"/medarbejder/tilmeld/noegle/begin":        {none: "a button: no fields"},
		"/medarbejder/tilmeld/noegle/finish":       {none: webAuthn},
		"/medarbejder/admin/brugere":               {fields: []string{"name", "email"}, valid: v("name", "Bo", "email", "bo@styrelsen.dk", "roles", "agent"), as: admin},
		"/medarbejder/admin/brugere/:id/roller":    {none: "checkboxes checked against the list of roles"},
		"/medarbejder/admin/brugere/:id/deaktiver": {none: "a button: no fields"},
		"/medarbejder/admin/brugere/:id/aktiver":   {none: "a button: no fields"},
		"/medarbejder/admin/brugere/:id/tilmelding": {fields: []string{"replace_keys"}, as: admin,
			path: func(fx *inputFixture) string { return "/medarbejder/admin/brugere/" + id(fx.agent.ID) + "/tilmelding" }},
		"/medarbejder/sager/ny": {fields: []string{"system", "category", "subject", "citizen", "name", "phone", "email", "lang", "message"},
			valid: v("system", "mitid", "category", "login", "subject", "Opkald", "name", "Bo", "phone", "12345678", "lang", "da", "message", "Tekst"), as: agent},
		"/medarbejder/sager/:ref/svar":                    {fields: []string{"reply_body", "reply_status"}, as: agent, path: casePath("/svar")},
		"/medarbejder/sager/:ref/note":                    {fields: []string{"note_body"}, as: agent, path: casePath("/note")},
		"/medarbejder/sager/:ref/opkald":                  {fields: []string{"call_minutes", "outcome", "call_note"}, valid: v("call_minutes", "5", "outcome", "solved", "call_note", "Note"), as: agent, path: casePath("/opkald")},
		"/medarbejder/sager/:ref/status":                  {fields: []string{"status"}, valid: v("status", "pending"), as: agent, path: casePath("/status")},
		"/medarbejder/sager/:ref/tildel":                  {fields: []string{"to"}, valid: v("to", "me"), as: agent, path: casePath("/tildel")},
		"/medarbejder/sager/:ref/tags":                    {fields: []string{"tags"}, valid: v("tags", "a, b"), as: agent, path: casePath("/tags")},
		"/medarbejder/sager/masse":                        {fields: []string{"bulk_assign", "bulk_status", "bulk_tag"}, valid: v("bulk_tag", "x"), as: agent}, // "tilbage" is parsed as the queues' path or ignored
		"/medarbejder/sager/:ref/flet":                    {fields: []string{"merge_into"}, as: agent, path: casePath("/flet")},
		"/medarbejder/sager/:ref/relateret":               {fields: []string{"related_ref"}, as: agent, path: casePath("/relateret")},
		"/medarbejder/sager/:ref/relateret/fjern":         {none: "a button: the other case's id, parsed as a number"},
		"/medarbejder/sager/:ref/laest":                   {none: "a button: no fields"},
		"/medarbejder/sager/:ref/egenskaber":              {fields: []string{"priority", "category", "system", "email", "phone"}, valid: v("priority", "high", "category", "login", "system", "mitid", "email", "bo@example.dk", "phone", "12345678"), as: agent, path: casePath("/egenskaber")},
		"/medarbejder/sager/:ref/borger":                  {fields: []string{"citizen"}, as: agent, path: casePath("/borger")},
		"/medarbejder/borger/:id/bekraeft":                {none: "a button: no fields"},
		"/medarbejder/borger/:id/aabn":                    {none: "a button: no fields"},
		"/medarbejder/borger/:id/bekraeft/:req/svar":      {none: "a button: no fields"},
		"/medarbejder/sager/soeg":                         {fields: []string{"q"}, valid: v("q", "0101701234"), as: agent},
		"/medarbejder/borger/:id/spaer":                   {fields: []string{"reason"}, as: agent, path: cardPath("/spaer")},
		"/medarbejder/borger/:id/middel/spaer":            {fields: []string{"means", "means_reason"}, valid: v("means", "1", "means_reason", "lost"), as: agent, path: cardPath("/middel/spaer")},
		"/medarbejder/borger/:id/midlertidig-adgangskode": {none: "a button: no fields"},
		"/medarbejder/borger/:id/aktiveringskode":         {none: "a button: no fields"},
		// Registration in person (borgerservice_test.go): the officer's browser has looked the
		// fixture's citizen up; cpr is the document forms' hidden field.
		"/medarbejder/borgerservice": {fields: []string{"cpr"}, as: raOfficer},
		"/medarbejder/borgerservice/pas": {fields: []string{"cpr", "mrz1", "mrz2"}, as: raOfficer,
			valid: v("cpr", bsInputCPR, "mrz1", "P<DNK", "mrz2", "AB1")},
		"/medarbejder/borgerservice/koerekort": {fields: []string{"cpr", "licence_number", "licence_expiry", "licence_name", "licence_birth"},
			as: raOfficer, valid: v("cpr", bsInputCPR, "licence_number", "12345678", "licence_expiry", "01.01.2040", "licence_name", "Bo", "licence_birth", "01.01.1990")},

		// Canned replies (canned_test.go): an admin writes a shared one and changes seeded reply 1.
		"/medarbejder/svar/ny": {fields: []string{"kind", "title_da", "body_da", "title_en", "body_en"}, as: admin,
			valid: v("kind", "shared", "title_da", "T", "body_da", "Hej {{navn}}", "title_en", "T", "body_en", "Hello {{name}}")},
		"/medarbejder/svar/:id": {fields: []string{"title_da", "body_da", "title_en", "body_en"}, as: admin,
			valid: v("version", "1", "title_da", "T", "body_da", "Hej {{navn}}", "title_en", "T", "body_en", "Hello {{name}}"),
			path:  func(*inputFixture) string { return "/medarbejder/svar/1" }},
		"/medarbejder/svar/:id/udfas": {none: "a button; its hidden version is parsed as a number"},

		// The identification app.
		"/idapp/start":    {none: "a button; its hidden purpose hint is compared with a fixed list"},
		"/idapp/resultat": {fields: []string{"result"}, as: (*inputFixture).identifying},
		"/demo/idapp": {fields: []string{"cpr", "nonce", "liveness", "variant"},
			valid: v("cpr", "010203-1234", "nonce", "ABCD-EFGH-JKMN-PQRS", "liveness", "yes", "variant", "normal"), as: anon},
		// Ordering a code device and sending it.
		"/mitid/bestil":                     {fields: []string{"kind", "reason", "replaces"}, valid: v("kind", "code_display", "reason", "first"), as: citizen},
		"/mitid/bestil/:id/annuller":        {none: "a button: no fields"},
		"/medarbejder/forsendelse/:id/send": {fields: []string{"serial"}, as: (*inputFixture).asFulfilment, path: func(fx *inputFixture) string { return fx.openOrderPath() }},
		// Organisations (orgs_test.go has the fixture's organisation).
		"/organisationer/ansoeg": {fields: []string{"cvr", "name", "kind", "contact_name", "email", "lang"},
			valid: v("cvr", "24256790", "name", "Aarhus Bibliotekerne", "kind", "library", "contact_name", "Mette Hansen", "email", "mette@example.dk", "lang", "da"), as: anon},
		"/redaktion/organisationer/:id/afgoer": {fields: []string{"decision", "decision_note"}, valid: v("decision", "approve"),
			as: (*inputFixture).asEditor, path: func(fx *inputFixture) string { return fx.pendingOrgPath() + "/afgoer" }},
		"/redaktion/organisationer/:id/forum": {fields: []string{"forum"}, as: (*inputFixture).asEditor,
			path: func(fx *inputFixture) string { return fx.approvedOrgEditorPath() + "/forum" }},
		"/organisationer/:id/inviter": {fields: []string{"email", "role", "lang"}, valid: v("email", "ny@example.dk", "role", "member", "lang", "da"),
			as: (*inputFixture).asOrgAdmin, path: func(fx *inputFixture) string { return fx.orgPath() + "/inviter" }},
		"/organisationer/:id/medlemmer/:mitid/rolle": {fields: []string{"new_role"}, as: (*inputFixture).asOrgAdmin,
			path: func(fx *inputFixture) string { return fx.orgMemberPath("rolle") }},
		"/organisationer/:id/medlemmer/:mitid/fjern": {none: "a button: the member is in the path"},
		"/organisationer/invitation/:token":          {none: "a button: the token is in the path"},
		// Campaign editors (editor_test.go): the two uploads are streamed multipart forms, sent
		// with their fields before the file, as a browser sends them (postFields).
		"/redaktion/pakker": {fields: []string{"pack_slug", "pack_audience", "pack_title_da", "pack_title_en", "pack_summary_da", "pack_summary_en"},
			valid: v("pack_slug", "ny-pakke", "pack_audience", "private", "pack_title_da", "Ny", "pack_title_en", "New"), as: (*inputFixture).asEditor},
		"/redaktion/pakker/:slug/nyt-materiale": {fields: []string{"item_title", "item_description", "kind", "item_audience", "lang", "visibility"},
			valid: v("item_title", "Folder", "item_description", "Til borgerservice.", "kind", "flyer", "item_audience", "citizens",
				"lang", "da", "visibility", "public"), as: (*inputFixture).asEditor, upload: testPDF,
			path: func(fx *inputFixture) string { fx.editor(); return "/redaktion/pakker/input-pakke/nyt-materiale" }},
		"/redaktion/materiale/:id/version": {fields: []string{"change_note"}, as: (*inputFixture).asEditor, upload: testPDF,
			path: editorItemPath("/version")},
		"/redaktion/materiale/:id/udgiv": {fields: []string{"when", "release_date", "release_time"},
			valid: v("when", "later", "release_date", "24-12-2030", "release_time", "09:30"), as: (*inputFixture).asEditor,
			path: editorItemPath("/udgiv")},
		"/redaktion/materiale/:id/tilbagetraek": {none: "a button: no fields"},
		"/redaktion/materiale/:id/flyt":         {none: "a button; its hidden dir is compared with op and ned (400 otherwise)"},

		// The campaign site's pages (site_test.go): the image upload is a streamed form.
		"/redaktion/sider": {fields: []string{"page_slug", "page_kind", "page_position", "page_parent"},
			valid: v("page_slug", "ny-side", "page_kind", "article", "page_position", "5"), as: (*inputFixture).asEditor},
		"/redaktion/sider/:slug/tekst/:lang": {fields: []string{"page_title", "page_summary", "page_body", "change_note"},
			valid: v("page_title", "Titel", "page_body", "Tekst"), as: (*inputFixture).asEditor, path: sitePagePath("/tekst/da")},
		"/redaktion/sider/:slug/udgiv": {fields: []string{"when", "release_date", "release_time"},
			valid: v("when", "later", "release_date", "24-12-2030", "release_time", "09:30"), as: (*inputFixture).asEditor,
			path: sitePagePath("/udgiv")},
		"/redaktion/sider/:slug/afpublicer": {none: "a button: no fields"},
		"/redaktion/sider/:slug/billede": {fields: []string{"alt"}, valid: v("alt", "En kodeviser"), as: (*inputFixture).asEditor,
			upload: testPNGHead, path: sitePagePath("/billede")},
		// The stakeholder forum (forum_test.go).
		"/forum/moeder/:id/tilmeld": {none: "a button: no fields"},
		"/forum/moeder/:id/afmeld":  {none: "a button: no fields"},
		"/forum/spoergsmaal/:id": {fields: []string{"answer"}, valid: v("answer", "Svar"), as: (*inputFixture).asForumMember,
			path: func(fx *inputFixture) string { return "/forum/spoergsmaal/" + id(fx.forum().question.ID) }},
		"/redaktion/forum/moeder": {fields: meetingFields, valid: meetingValid, as: (*inputFixture).asForumEditor},
		// Editing a meeting takes the same fields (and the version, hidden).
		"/redaktion/forum/moeder/:id/rediger": {fields: meetingFields, valid: meetingValid, as: (*inputFixture).asForumEditor,
			path: func(fx *inputFixture) string {
				return "/redaktion/forum/moeder/" + id(fx.forum().meeting.ID) + "/rediger"
			}},
		"/redaktion/forum/moeder/:id/status": {fields: []string{"status"}, valid: v("status", "held"), as: (*inputFixture).asForumEditor,
			path: func(fx *inputFixture) string {
				return "/redaktion/forum/moeder/" + id(fx.forum().meeting.ID) + "/status"
			}},
		"/redaktion/forum/moeder/:id/filer": {fields: []string{"file_kind"}, valid: v("file_kind", "presentation"), as: (*inputFixture).asForumEditor,
			upload: testPDF, path: func(fx *inputFixture) string {
				return "/redaktion/forum/moeder/" + id(fx.forum().meeting.ID) + "/filer"
			}},
		"/redaktion/forum/aktiviteter": {fields: []string{"activity_title_da", "activity_title_en", "first_month", "last_month"},
			valid: v("activity_title_da", "Pressesamarbejder", "activity_title_en", "Press partnerships", "first_month", "03-2030",
				"last_month", "04-2030"), as: (*inputFixture).asForumEditor},
		"/redaktion/forum/aktiviteter/:id/slet": {none: "a button: the activity is in the path"},
		"/redaktion/forum/spoergsmaal": {fields: []string{"question_da", "question_en", "question_deadline"},
			valid: v("question_da", "Spørgsmål", "question_en", "Question"), as: (*inputFixture).asForumEditor},
		"/redaktion/forum/spoergsmaal/:id/status": {none: "a button; its hidden open is compared with ja and nej (400 otherwise)"},

		// Subscriptions (subs_test.go).
		"/organisationer/:id/abonnementer": {none: "checkboxes whose values are parsed as pack ids (a forged one is a 400)"},
		"/abonnement/afmeld/:token":        {none: "a button: the token is in the path (checked by TestQueryParametersRefuseBadText)"},
		// The move from NemID to MitID (issue 11).
		"/mitid/nemid/forlaeng": {none: "a button: no fields"},

		// The campaign site's structured pages (sitedata_test.go): the demo seed's rows on the
		// fixture (its qa_category 1 is the seed's first).
		"/redaktion/spoergsmaal/ny": {fields: []string{"qa_category", "qa_question_da", "qa_question_en", "qa_answer_da", "qa_answer_en"},
			valid: v("qa_category", "1", "qa_question_da", "Spørgsmål?", "qa_question_en", "Question?", "qa_answer_da", "Svar.", "qa_answer_en", "Answer."),
			as:    (*inputFixture).asSiteEditor},
		"/redaktion/spoergsmaal/:id": {fields: []string{"qa_category", "qa_question_da", "qa_question_en", "qa_answer_da", "qa_answer_en"},
			valid: v("qa_category", "1", "qa_question_da", "Spørgsmål?", "qa_question_en", "Question?", "qa_answer_da", "Svar.", "qa_answer_en", "Answer."),
			as:    (*inputFixture).asSiteEditor, path: siteDataPath("/redaktion/spoergsmaal/%d", func(ids siteDataIDs) int64 { return ids.entry })},
		"/redaktion/spoergsmaal/:id/synlighed":       {none: "a button; its hidden vis is compared with ja and nej (400 otherwise)"},
		"/redaktion/spoergsmaal/:id/flyt":            {none: "a button; its hidden dir is compared with op and ned (400 otherwise)"},
		"/redaktion/spoergsmaal/kategorier/:id/flyt": {none: "a button; its hidden dir is compared with op and ned (400 otherwise)"},
		"/redaktion/spoergsmaal/kategorier": {fields: []string{"cat_name_da", "cat_name_en"}, valid: v("cat_name_da", "Ny", "cat_name_en", "New"),
			as: (*inputFixture).asSiteEditor},
		"/redaktion/spoergsmaal/kategorier/:id": {fields: []string{"cat_name_da", "cat_name_en"}, valid: v("cat_name_da", "Ny", "cat_name_en", "New"),
			as: (*inputFixture).asSiteEditor, path: siteDataPath("/redaktion/spoergsmaal/kategorier/%d", func(ids siteDataIDs) int64 { return ids.category })},
		"/redaktion/brokere": {fields: []string{"broker_name", "broker_url", "broker_description_da", "broker_description_en", "broker_certified"},
			valid: v("broker_name", "Ny broker", "broker_url", "example.dk"), as: (*inputFixture).asSiteEditor},
		"/redaktion/brokere/:id": {fields: []string{"broker_name", "broker_url", "broker_description_da", "broker_description_en", "broker_certified"},
			valid: v("broker_name", "Ny broker", "broker_url", "example.dk"), as: (*inputFixture).asSiteEditor,
			path: siteDataPath("/redaktion/brokere/%d", func(ids siteDataIDs) int64 { return ids.broker })},
		"/redaktion/brokere/introduktion": {fields: []string{"intro_da", "intro_en"}, as: (*inputFixture).asSiteEditor},
		"/redaktion/brokere/:id/flyt":     {none: "a button; its hidden dir is compared with op and ned (400 otherwise)"},
		"/redaktion/tidsplan": {fields: []string{"activity_title_da", "activity_title_en", "activity_audience", "activity_start", "activity_end"},
			valid: v("activity_title_da", "Møde", "activity_title_en", "Meeting", "activity_audience", "all", "activity_start", "01-2027", "activity_end", "02-2027"),
			as:    (*inputFixture).asSiteEditor},
		"/redaktion/tidsplan/:id": {fields: []string{"activity_title_da", "activity_title_en", "activity_audience", "activity_start", "activity_end"},
			valid: v("activity_title_da", "Møde", "activity_title_en", "Meeting", "activity_audience", "all", "activity_start", "01-2027", "activity_end", "02-2027"),
			as:    (*inputFixture).asSiteEditor, path: siteDataPath("/redaktion/tidsplan/%d", func(ids siteDataIDs) int64 { return ids.activity })},
		"/redaktion/tidsplan/:id/slet": {none: "a button: no fields"},

		// The newsletter (newsletter_test.go).
		"/nyhedsbrev":                 {fields: []string{"email", "lang"}, valid: v("email", "ny@demo.mitid.example", "lang", "da"), as: anon},
		"/nyhedsbrev/afmeld":          {fields: []string{"unsub_email"}, as: anon},
		"/nyhedsbrev/bekraeft/:token": {none: "a button: the token is in the path"},
		"/nyhedsbrev/afmeld/:token":   {none: "a button: the token is in the path"},
		"/redaktion/nyhedsbreve": {fields: []string{"news_subject_da", "news_body_da", "news_subject_en", "news_body_en"},
			valid: v("news_subject_da", "Emne", "news_body_da", "Tekst", "news_subject_en", "Subject", "news_body_en", "Text"),
			as:    (*inputFixture).asEditor},
		"/redaktion/nyhedsbreve/:id": {fields: []string{"news_subject_da", "news_body_da", "news_subject_en", "news_body_en"},
			valid: v("news_subject_da", "Emne", "news_body_da", "Tekst", "news_subject_en", "Subject", "news_body_en", "Text"),
			as:    (*inputFixture).asEditor, path: (*inputFixture).newsDraftPath},
		"/redaktion/nyhedsbreve/:id/send": {none: "a button: the issue is in the path"},

		// Feedback rounds (rounds_test.go has the fixture's round).
		"/redaktion/feedback": {fields: []string{"round_title", "round_description", "deadline_date", "deadline_time"},
			valid: v("round_title", "Runde", "deadline_date", "24-12-2030", "deadline_time", "09:30"), as: (*inputFixture).asEditor},
		"/redaktion/feedback/:id/frist": {fields: []string{"deadline_date", "deadline_time"},
			valid: v("deadline_date", "24-12-2030", "deadline_time", "09:30"), as: (*inputFixture).asEditor,
			path: roundPath(func(inputRound) string { return "/frist" })},
		"/redaktion/feedback/:id/materiale": {fields: []string{"item"}, as: (*inputFixture).asEditor,
			path: roundPath(func(inputRound) string { return "/materiale" })},
		"/redaktion/feedback/:id/materiale/:item/fjern": {none: "a button: the item is in the path"},
		"/redaktion/feedback/:id/luk":                   {none: "a button: no fields"},
		"/redaktion/feedback/:id/kommentar/:cid": {fields: []string{"handled_note"}, valid: v("handled", "yes"),
			as: (*inputFixture).asEditor, path: roundPath(func(r inputRound) string {
				return "/kommentar/" + strconv.FormatInt(r.comment, 10)
			})},
		"/forum/feedback/:id/materiale/:item/kommentar": {fields: []string{"comment"}, as: citizen,
			path: func(fx *inputFixture) string {
				r := fx.round()
				return fmt.Sprintf("/forum/feedback/%d/materiale/%d/kommentar", r.round, r.item)
			}},
	}
}

// rawJSON is fields as a JSON object whose strings carry their bytes as they are: bytes that
// are not UTF-8 stay so (json.Marshal would turn them into U+FFFD), control characters become
// \u escapes, as a script's JSON.stringify sends them.
func rawJSON(fields url.Values) []byte {
	var parts []string
	for k := range fields {
		v := fields.Get(k)
		enc, _ := json.Marshal(v)
		if !utf8.ValidString(v) {
			enc = []byte(`"` + v + `"`)
		}
		parts = append(parts, strconv.Quote(k)+":"+string(enc))
	}
	return []byte("{" + strings.Join(parts, ",") + "}")
}

// badText is what a person or a script can send that no field takes. The long value is
// longer than any field allows (text areas take support.MaxBody characters).
func badText(field string) map[string]string {
	long := 10000
	if strings.HasSuffix(field, "_body") || field == "message" || field == "call_note" {
		long = support.MaxBody + 1
	}
	if field == "page_body" || strings.HasPrefix(field, "news_body") {
		long = markdown.MaxLen + 1
	}
	return map[string]string{
		"NUL": "a\x00b", "control": "a\x1bb", "long": strings.Repeat("x", long),
		"invalid UTF-8": "a\xff\xfe", "Latin-1": "Bl\xe6b\xe6r gr\xf8d p\xe5 \xe6g",
	}
}

// TestEveryFormRefusesBadText sends, to every text field of every POST route of the portal,
// a NUL byte, a control character, an over-long value and bytes that are not UTF-8: each is
// a 4xx answer whose error summary links to that field (forms) or a 4xx JSON answer (the
// scripts' routes), never a 5xx, and nothing is written.
func TestEveryFormRefusesBadText(t *testing.T) {
	t.Parallel()
	fx := newInputFixture(t)
	entries := formEntries()
	for _, r := range fx.env.App.Server.Routes() {
		if r.Method != http.MethodPost {
			continue
		}
		e, ok := entries[r.Path]
		if !ok {
			t.Errorf("POST %s has no entry in formEntries: list its text fields (or why it has none)", r.Path)
			continue
		}
		if len(e.fields) == 0 {
			if e.none == "" {
				t.Errorf("POST %s: an entry without fields must say why", r.Path)
			}
			continue
		}
		path := r.Path
		if e.path != nil {
			path = e.path(fx)
		}
		for _, name := range e.fields {
			for kind, bad := range badText(name) {
				t.Run(r.Path+" "+name+" "+kind, func(t *testing.T) {
					b := e.as(fx, t)
					before := fx.fingerprint(t)
					fields := url.Values{}
					for k, vs := range e.valid {
						fields[k] = append([]string{}, vs...)
					}
					fields.Set(name, bad)
					if e.json {
						status, out := b.sendJSON(t, path, rawJSON(fields))
						if status < 400 || status >= 500 {
							t.Errorf("status %d, want 4xx: %.300s", status, out)
						}
					} else {
						res, body := b.postFields(t, path, fields, e.upload, e.upload)
						if res.StatusCode < 400 || res.StatusCode >= 500 {
							t.Errorf("status %d, want 4xx", res.StatusCode)
						}
						summary, _, _ := strings.Cut(body[strings.Index(body, `data-testid="error-summary"`)+1:], "</ul>")
						if !strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(summary, `href="#`+name+`"`) {
							t.Errorf("no error summary naming %s in the answer (%d)", name, res.StatusCode)
						}
						if strings.Contains(body, "\x00") {
							t.Error("the answer carries a NUL byte")
						}
					}
					if after := fx.fingerprint(t); after != before {
						t.Errorf("the refused input changed the database:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		}
	}
}

// testPNGHead is the start of a PNG file: enough for the type sniffed from the first bytes.
const testPNGHead = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x08\x00\x00\x00\x08\x08\x06\x00\x00\x00"

// noFile stands for a streamed upload sent without its file part.
const noFile = "\x00no file"

// postFields sends fields as a form, or, when upload is not "", as a streamed multipart form
// with the fields (in the order of their names) before the file part, whose content is file
// (noFile: no file part), as a browser sends a form whose file input is last.
func (b *browser) postFields(t *testing.T, path string, fields url.Values, upload, file string) (*http.Response, string) {
	t.Helper()
	if upload == "" {
		return b.post(t, path, fields)
	}
	var parts []field
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		for _, v := range fields[k] {
			parts = append(parts, field{k, v})
		}
	}
	name := "fil.pdf"
	if file == noFile {
		name = "-"
	}
	return b.streamPost(t, path, parts, name, strings.NewReader(file))
}
