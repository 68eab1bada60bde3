package handlers_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mitidportal/campaign"
	"mitidportal/identity"
)

// formRow is one form of the portal in the table over all forms. Its fields, the browser that
// may see it and its concrete path are formEntries' (input_test.go); the row adds where the
// form is shown and what each field refuses.
type formRow struct {
	up        int               // the page that shows the form is the POST path less this many segments
	get       string            // or this page
	action    string            // the form on the page posts here, not to the route (which takes the same form)
	bad       map[string]string // an invalid value of each field; a field not named here is required, and "" is wrong
	valid     map[string]string // valid values besides formEntries', so only the attacked field is wrong
	hidden    map[string]string // formEntries' fields that nobody types (hidden inputs), and why
	untested  map[string]string // fields of the form the table does not make wrong, and why
	elsewhere map[string]string // fields whose summary link may land on a focusable element that is no field, and why
	alone     map[string]string // fields checked only when another is right, so not wrong in the form with all wrong; why
	show      url.Values        // the form is on the answer to POSTing these to the page (a look-up), not on a GET

	more    []string                                  // fields formEntries does not attack
	before  func(*inputFixture, *testing.T, *browser) // a step before the page shows the form
	as      func(*inputFixture, *testing.T) *browser  // the browser, when formEntries' will not do
	validOf func(*inputFixture) map[string]string     // valid values that depend on the fixture
}

// creatingFresh is a browser in the middle of creating a MitID for a citizen of its own: each
// browser needs a live code, and a new code for a citizen ends the one before.
func (fx *inputFixture) creatingFresh(t *testing.T) *browser {
	m := fx.env.NewCitizen(t)
	_, ac, err := fx.env.App.Activations.Issue(context.Background(), m.CPR, identity.ActivationCreate,
		identity.LevelSubstantial, identity.ActorCitizen)
	if err != nil {
		t.Fatal(err)
	}
	return fx.withSession(t, map[any]any{"create_cpr": string(m.CPR), "grant_activation": ac.ID,
		"grant_cpr": string(ac.CPR), "create_mitid": m.ID})
}

// Invalid values the rows share.
var (
	nul     = "a\x00b"                  // no field takes a NUL byte
	tooLong = strings.Repeat("x", 1001) // longer than any one-line field allows
)

// unticked stands for a checkbox left unticked: the browser sends no value at all.
const unticked = "\x00unticked"

// Why a field is left out of the form with every field wrong.
const (
	laterAlone = "the release's date and time are read only when the release is later"
)

// notFormPosts are POST routes that formEntries lists with fields, but that no person fills
// in as a form.
var notFormPosts = map[string]string{
	"/organisationer/:id/medlemmer/:mitid/rolle": "a button per member; the new role is a hidden field",
	"/idapp/resultat": "the identification app's signed result, posted by the app's page script, not typed",
}

// formRows are the forms of the portal, by route.
func formRows() map[string]formRow {
	b := func(kv ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	// The meeting form, creating or editing: what its free-text fields are wrong with.
	meetingBad := b("video_url", "ikke en adresse", "agenda_da", nul, "agenda_en", nul)
	return map[string]formRow{
		// Citizens: login, creating a MitID, activation, recovery, blocking.
		"/log-ind":          {},
		"/log-ind/kode":     {},
		"/opret":            {},
		"/opret/kode":       {as: (*inputFixture).creatingFresh, action: "/aktiver", bad: b("cpr", nul)},
		"/aktiver":          {},
		"/glemt/brev":       {},
		"/opret/bruger":     {as: (*inputFixture).creatingFresh},
		"/opret/kodeviser":  {as: (*inputFixture).creatingFresh},
		"/aktiver/gendan":   {},
		"/aktiver/ophaev":   {},
		"/spaer":            {more: []string{"consent"}, bad: b("consent", unticked)},
		"/demo/idapp":       {},
		"/kontakt/skriv":    {},
		"/mitid/bestil":     {hidden: b("replaces", "shown only to a citizen with a unit to replace, which the fixture's citizen has not")},
		"/mitid/spaer":      {},
		"/mitid/brugernavn": {},
		// Self-service.
		"/mitid/middel/:id/omdoeb": {},
		"/mitid/middel/:id/spaer":  {},
		"/mitid/kodeviser/tilfoej": {},
		"/mitid/adgangskode":       {},
		"/mitid/sager/:ref/svar":   {up: 1},

		// Staff: login, enrolment, accounts.
		"/medarbejder/log-ind":                      {},
		"/medarbejder/tilmeld":                      {},
		"/medarbejder/tilmeld/:token":               {},
		"/medarbejder/admin/brugere":                {more: []string{"roles"}, bad: b("roles", unticked)},
		"/medarbejder/admin/brugere/:id/tilmelding": {up: 1, bad: b("replace_keys", nul)},
		// The desk: cases, the citizen card, canned replies, registration in person, fulfilment.
		"/medarbejder/sager/ny":   {bad: b("citizen", "0000000000", "email", "ikke-en-adresse", "phone", "ring", "lang", "xx", "message", nul, "name", nul)},
		"/medarbejder/sager/soeg": {up: 1, bad: b("q", nul)},
		"/medarbejder/sager/masse": {up: 1, more: []string{"sag"}, bad: b("bulk_assign", "nogen", "bulk_status", "ukendt", "bulk_tag", nul, "sag", "ikke-en-sag"),
			validOf:   func(fx *inputFixture) map[string]string { return b("sag", fx.caseVersion()) },
			elsewhere: b("sag", "with no case left to tick, the link lands on the text that says so")},
		"/medarbejder/sager/:ref/svar":         {up: 1, bad: b("reply_status", "ukendt"), valid: b("reply_body", "Tak for din henvendelse.")},
		"/medarbejder/sager/:ref/note":         {up: 1},
		"/medarbejder/sager/:ref/opkald":       {up: 1, more: []string{"call_start", "call_end"}, bad: b("call_minutes", "fem", "call_note", nul, "call_start", nul, "call_end", nul)},
		"/medarbejder/sager/:ref/status":       {up: 1},
		"/medarbejder/sager/:ref/tildel":       {up: 1},
		"/medarbejder/sager/:ref/tags":         {up: 1, bad: b("tags", nul)}, // no tags is a change: it clears them
		"/medarbejder/sager/:ref/flet":         {up: 1},
		"/medarbejder/sager/:ref/relateret":    {up: 1},
		"/medarbejder/sager/:ref/egenskaber":   {up: 1, bad: b("priority", "ukendt", "category", "ukendt", "system", "ukendt", "email", "ikke-en-adresse", "phone", "ring")},
		"/medarbejder/sager/:ref/borger":       {up: 1},
		"/medarbejder/borger/:id/spaer":        {up: 1, before: openCard},
		"/medarbejder/borger/:id/middel/spaer": {up: 2, before: openCard},
		"/medarbejder/borgerservice":           {},
		"/medarbejder/borgerservice/pas":       {up: 1, show: url.Values{"cpr": {bsInputCPR}}, hidden: b("cpr", "the person looked up, a hidden field of the document forms")},
		"/medarbejder/borgerservice/koerekort": {up: 1, show: url.Values{"cpr": {bsInputCPR}}, hidden: b("cpr", "the person looked up, a hidden field of the document forms")},
		"/medarbejder/svar/ny":                 {},
		"/medarbejder/svar/:id":                {},
		"/medarbejder/forsendelse/:id/send":    {up: 1},

		// Organisations.
		"/organisationer/ansoeg":               {},
		"/redaktion/organisationer/:id/afgoer": {up: 1, bad: b("decision_note", nul)},
		"/redaktion/organisationer/:id/forum":  {up: 1, bad: b("forum", nul)},
		"/organisationer/:id/inviter":          {up: 1},
		// Campaign editors: packs, items, pages.
		"/redaktion/pakker":                  {bad: b("pack_summary_da", nul, "pack_summary_en", nul)},
		"/redaktion/materiale/:id/udgiv":     {up: 1, alone: b("release_date", laterAlone, "release_time", laterAlone)},
		"/redaktion/sider":                   {bad: b("page_position", "femte", "page_parent", "ingen")},
		"/redaktion/sider/:slug/tekst/:lang": {bad: b("page_summary", nul, "change_note", nul)},
		"/redaktion/sider/:slug/udgiv":       {up: 1, alone: b("release_date", laterAlone, "release_time", laterAlone)},
		// The streamed uploads, sent as multipart forms with the file last (postFields).
		"/redaktion/pakker/:slug/nyt-materiale": {bad: b("item_description", nul)},
		"/redaktion/materiale/:id/version":      {up: 1, bad: b("change_note", nul)},
		"/redaktion/sider/:slug/billede":        {up: 1},
		"/redaktion/forum/moeder/:id/filer":     {up: 1},
		// The campaign site's structured pages.
		"/redaktion/spoergsmaal/ny":             {},
		"/redaktion/spoergsmaal/:id":            {},
		"/redaktion/spoergsmaal/kategorier":     {up: 1},
		"/redaktion/spoergsmaal/kategorier/:id": {},
		"/redaktion/brokere":                    {bad: b("broker_description_da", nul, "broker_description_en", nul, "broker_certified", nul)},
		"/redaktion/brokere/:id":                {bad: b("broker_description_da", nul, "broker_description_en", nul, "broker_certified", nul)},
		"/redaktion/brokere/introduktion":       {up: 1, bad: b("intro_da", nul, "intro_en", nul)},
		"/redaktion/tidsplan":                   {},
		"/redaktion/tidsplan/:id":               {},
		// The newsletter.
		"/nyhedsbrev":                {},
		"/nyhedsbrev/afmeld":         {up: 1},
		"/redaktion/nyhedsbreve":     {get: "/redaktion/nyhedsbreve/ny"},
		"/redaktion/nyhedsbreve/:id": {},
		// The forum and its feedback rounds.
		"/forum/spoergsmaal/:id":              {},
		"/redaktion/forum/moeder":             {up: 1, bad: meetingBad},
		"/redaktion/forum/moeder/:id/rediger": {up: 1, bad: meetingBad},
		"/redaktion/forum/moeder/:id/status":  {up: 1},
		"/redaktion/forum/aktiviteter":        {up: 1},
		"/redaktion/forum/spoergsmaal":        {up: 1, bad: b("question_deadline", "i morgen")},
		"/redaktion/feedback": {more: []string{"items"}, bad: b("round_description", nul, "items", unticked),
			validOf: func(fx *inputFixture) map[string]string { return b("items", fx.roundCandidate()) }},
		"/redaktion/feedback/:id/frist":                 {up: 1},
		"/redaktion/feedback/:id/materiale":             {up: 1, validOf: func(fx *inputFixture) map[string]string { fx.roundCandidate(); return nil }}, // a draft to add
		"/redaktion/feedback/:id/kommentar/:cid":        {up: 2, bad: b("handled_note", tooLong)},
		"/forum/feedback/:id/materiale/:item/kommentar": {up: 3},
	}
}

// caseVersion is the bulk form's value of the fixture's case: its id and version.
func (fx *inputFixture) caseVersion() string {
	var v int
	if err := fx.env.App.Pool.QueryRow(context.Background(), `SELECT version FROM support_case WHERE id = $1`, fx.cs.ID).Scan(&v); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%d:%d", fx.cs.ID, v)
}

// roundCandidates are the input fixtures' second draft items, which a round can take in.
var roundCandidates sync.Map // *inputFixture → int64

// roundCandidate is a draft item that is not in the fixture's round, made once, so the round's
// page shows its form for adding an item.
func (fx *inputFixture) roundCandidate() string {
	if id, ok := roundCandidates.Load(fx); ok {
		return strconv.FormatInt(id.(int64), 10)
	}
	fx.round()
	ed := fx.editor()
	var pack int64
	ctx := context.Background()
	if err := fx.env.App.Pool.QueryRow(ctx, `SELECT pack_id FROM pack_item WHERE id = $1`, ed.item).Scan(&pack); err != nil {
		panic(err)
	}
	it, err := fx.env.App.Packs.CreateItem(ctx, ed.editor.ID, campaign.NewItem{PackID: pack, Kind: campaign.ItemFlyer,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Plakat", Visibility: campaign.VisiblePublic},
		campaign.Upload{Filename: "plakat.pdf", Body: strings.NewReader(testPDF)})
	if err != nil {
		panic(err)
	}
	roundCandidates.Store(fx, it.ID)
	return strconv.FormatInt(it.ID, 10)
}

// openCard opens the citizen card of the fixture's citizen (an audited look-up), which shows
// the card's forms from then on.
func openCard(fx *inputFixture, t *testing.T, b *browser) {
	b.page(t, fmt.Sprintf("/medarbejder/borger/%d", fx.citizen.ID))
	if res, _ := b.post(t, fmt.Sprintf("/medarbejder/borger/%d/aabn", fx.citizen.ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("opening the card: %d", res.StatusCode)
	}
}

// strip shortens a page to its main content for a failure message.
func strip(body string) string {
	if _, main, ok := strings.Cut(body, "<main"); ok {
		return main
	}
	return body
}

// formPage GETs the page that shows a form (or, with show, POSTs show to it: a look-up's
// answer), fails unless it is 200, and takes the CSRF token from it, as a person's browser
// would.
func (b *browser) formPage(t *testing.T, path string, show url.Values) string {
	t.Helper()
	var res *http.Response
	var err error
	if show != nil {
		fields := url.Values{"csrf_token": {b.csrf}}
		for k, vs := range show {
			fields[k] = vs
		}
		res, err = b.client.PostForm(b.env.URL+path, fields)
	} else {
		res, err = b.client.Get(b.env.URL + path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return string(body)
}

// formPosting is the HTML of the forms on page that post to path.
func formPosting(page, path string) string {
	var out strings.Builder
	for _, loc := range formTag.FindAllStringSubmatchIndex(page, -1) {
		action, _, _ := strings.Cut(html.UnescapeString(page[loc[2]:loc[3]]), "?")
		if action != path {
			continue
		}
		form, _, _ := strings.Cut(page[loc[0]:], "</form>")
		out.WriteString(form)
	}
	return out.String()
}

// attr is the value of the attribute name in a tag's attributes, or "".
func attr(attrs, name string) string {
	m := regexp.MustCompile(`\b` + name + `="([^"]*)"`).FindStringSubmatch(attrs)
	if m == nil {
		return ""
	}
	return m[1]
}
