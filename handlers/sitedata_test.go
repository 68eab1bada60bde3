package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"mitidportal/app"
	"mitidportal/app/apptest"
	"mitidportal/campaign/sitedata"
)

// siteDataIDs are the first seeded category, question, broker and activity of a portal.
type siteDataIDs struct{ category, entry, broker, activity int64 }

// seedSiteData seeds the demo's questions, brokers and timeline (app.SeedSiteData, the seed
// `make run` uses) as editorID, and returns the first of each.
func seedSiteData(env *apptest.Env, editorID int64) (siteDataIDs, error) {
	ctx := context.Background()
	s := env.App.SiteData
	if _, err := app.SeedSiteData(ctx, s, editorID); err != nil {
		return siteDataIDs{}, err
	}
	var ids siteDataIDs
	err := env.App.Pool.QueryRow(ctx, `SELECT (SELECT min(id) FROM qa_category), (SELECT min(id) FROM qa_entry),
		(SELECT min(id) FROM broker), (SELECT min(id) FROM timeline_activity)`).Scan(&ids.category, &ids.entry, &ids.broker, &ids.activity)
	return ids, err
}

// inputSiteData are the seeded rows of each input fixture, made on first use (the table asks
// for a path before it has a *testing.T, so a failure here panics).
var inputSiteData sync.Map // *inputFixture → siteDataIDs

func (fx *inputFixture) siteData() siteDataIDs {
	if ids, ok := inputSiteData.Load(fx); ok {
		return ids.(siteDataIDs)
	}
	ids, err := seedSiteData(fx.env, fx.editor().editor.ID)
	if err != nil {
		panic(err)
	}
	inputSiteData.Store(fx, ids)
	return ids
}

func (fx *inputFixture) asSiteEditor(t *testing.T) *browser {
	fx.siteData()
	return fx.asEditor(t)
}

func siteDataPath(format string, id func(siteDataIDs) int64) func(*inputFixture) string {
	return func(fx *inputFixture) string { return fmt.Sprintf(format, id(fx.siteData())) }
}

// TestSiteDataPublicPages: the questions are searched in the visitor's language with its
// stemming and filtered by category through plain links; drafts and uncertified brokers are
// not shown; the timeline is a table with row and column headings and text marks; every page
// links to the others and back to the campaign.
func TestSiteDataPublicPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	fx := &inputFixture{env: env}
	ids := fx.siteData()
	ctx := context.Background()
	ed := fx.editor().editor.ID
	draft, err := env.App.SiteData.SaveEntry(ctx, ed, sitedata.Entry{CategoryID: ids.category, QuestionDA: "Kladde om spærring",
		AnswerDA: "Ikke udgivet.", QuestionEN: "Draft about blocking", AnswerEN: "Not published."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.SiteData.SaveBroker(ctx, ed, sitedata.Broker{Name: "Ucertificeret ApS", URL: "example.dk"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		status    int
		want, not []string
	}{
		{"/kampagne/spoergsmaal", 200, []string{"Hvorfor skal jeg have MitID?", "Alle emner", `href="/kampagne/tidsplan"`, `href="/kampagne"`}, []string{draft.QuestionDA}},
		{"/kampagne/spoergsmaal?q=sp%C3%A6rre", 200, []string{"Hvordan ophæver jeg en spærring?", "Min telefon eller kodeviser er blevet væk"}, []string{"Hvorfor skal jeg have MitID?", draft.QuestionDA}},
		{"/kampagne/spoergsmaal?lang=en&q=blocking", 200, []string{"How do I lift a block?"}, []string{"Why do I need MitID?", draft.QuestionEN}},
		{"/kampagne/spoergsmaal?lang=en&q=phones", 200, []string{"I have a new phone. What do I do?"}, nil},
		{fmt.Sprintf("/kampagne/spoergsmaal?kategori=%d", ids.category), 200, []string{"Hvorfor skal jeg have MitID?", `aria-current="page"`}, []string{"Jeg har fået en ny telefon"}},
		{"/kampagne/spoergsmaal?q=zzzqqq", 200, []string{`data-testid="qa-none"`}, nil},
		{"/kampagne/spoergsmaal?kategori=999999", 200, []string{`data-testid="qa-none"`}, nil},
		{"/kampagne/spoergsmaal?kategori=abc", 400, nil, nil},
		{"/kampagne/spoergsmaal?kategori=-1", 400, nil, nil},
		{"/kampagne/spoergsmaal?q=" + url.QueryEscape("a\x00b"), 400, []string{`data-testid="error-summary"`, `href="#q"`}, nil},
		{"/kampagne/spoergsmaal?q=" + url.QueryEscape(strings.Repeat("x", 10000)), 400, []string{`data-testid="error-summary"`}, nil},
		{"/kampagne/spoergsmaal?q=" + url.QueryEscape("a\xff\xfe"), 400, []string{`data-testid="error-summary"`}, nil},
		{"/kampagne/spoergsmaal?q=" + url.QueryEscape(`' OR 1=1 -- & | ! :* %_`), 200, nil, nil},
		{"/kampagne/tjenesteudbydere", 200, []string{"Criipto", `href="https://signicat.com"`, "Signaturgruppen", "broker", `href="/kampagne/spoergsmaal"`}, []string{"Ucertificeret"}},
		{"/kampagne/tjenesteudbydere?lang=en", 200, []string{"Certified brokers", "chooses itself"}, nil},
		{"/kampagne/tidsplan", 200, []string{`<th scope="row">`, `<th scope="col">`, "■", `class="sr-only">planlagt`, "Pressesamarbejder", `data-testid="timeline-list"`}, nil},
		{"/kampagne/tidsplan?lang=en", 200, []string{"Press cooperation", "Businesses"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, body := get(t, env, tt.path, nil)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the page shows %q", n)
				}
			}
		})
	}
}

// TestSiteDataEditors: an editor creates a topic and a question, which visitors see only once
// it is published; every change is one audit entry; refused forms show the error summary and
// write nothing; the buttons' hidden values and the paths' ids are checked.
func TestSiteDataEditors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	fx := &inputFixture{env: env}
	ids := fx.siteData()
	ed := fx.asSiteEditor(t)
	audits := func() int { return count(t, env, `SELECT count(*) FROM audit_log`) }
	a0 := audits()
	// GETs of every editor page write nothing.
	for _, p := range []string{"/redaktion/spoergsmaal", "/redaktion/spoergsmaal/ny", fmt.Sprintf("/redaktion/spoergsmaal/%d", ids.entry),
		fmt.Sprintf("/redaktion/spoergsmaal/kategorier/%d", ids.category), "/redaktion/brokere", fmt.Sprintf("/redaktion/brokere/%d", ids.broker),
		"/redaktion/tidsplan", fmt.Sprintf("/redaktion/tidsplan/%d", ids.activity)} {
		if status, _ := ed.get(t, p); status != http.StatusOK {
			t.Errorf("GET %s: %d", p, status)
		}
	}
	if audits() != a0 {
		t.Fatal("an editor's GET wrote an audit entry")
	}
	res, _ := ed.post(t, "/redaktion/spoergsmaal/kategorier", url.Values{"cat_name_da": {"Fuldmagt"}, "cat_name_en": {"Power of attorney"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create topic: %d", res.StatusCode)
	}
	var cat int64
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT id FROM qa_category WHERE name_da = 'Fuldmagt'`).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	res, _ = ed.post(t, "/redaktion/spoergsmaal/ny", url.Values{"qa_category": {fmt.Sprint(cat)}, "qa_question_da": {"Hvad er en digital fuldmagt?"},
		"qa_answer_da": {"En **fuldmagt** på borger.dk."}, "qa_question_en": {"What is a digital power of attorney?"}, "qa_answer_en": {"A power of attorney on borger.dk."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create question: %d", res.StatusCode)
	}
	entryPath := strings.Split(res.Header.Get("Location"), "?")[0]
	if _, body := get(t, env, "/kampagne/spoergsmaal?q=fuldmagt", nil); strings.Contains(body, "Hvad er en digital fuldmagt?") {
		t.Error("a draft is shown to visitors")
	}
	if res, _ := ed.post(t, entryPath+"/synlighed", url.Values{"vis": {"ja"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	if _, body := get(t, env, "/kampagne/spoergsmaal?q=fuldmagt", nil); !strings.Contains(body, "Hvad er en digital fuldmagt?") || !strings.Contains(body, "<strong>fuldmagt</strong>") {
		t.Error("the published question is not found, or its Markdown is not rendered")
	}
	if res, _ := ed.post(t, fmt.Sprintf("/redaktion/spoergsmaal/kategorier/%d/flyt", cat), url.Values{"dir": {"op"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d", res.StatusCode)
	}
	if got := audits() - a0; got != 4 {
		t.Errorf("%d audit entries for 4 changes", got)
	}
	entrySubject := "qa_entry:" + strings.TrimPrefix(entryPath, "/redaktion/spoergsmaal/")
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'qa_entry_visibility' AND actor = $1 AND subject = $2`,
		fmt.Sprintf("staff:%d", fx.editor().editor.ID), entrySubject); n != 1 {
		t.Errorf("%d audit entries of the publication by its editor", n)
	}
	refused := []struct {
		name   string
		path   string
		fields url.Values
		status int
		field  string
	}{
		{"broker over http", "/redaktion/brokere", url.Values{"broker_name": {"X"}, "broker_url": {"http://x.dk"}}, 422, "broker_url"},
		{"broker with a script address", "/redaktion/brokere", url.Values{"broker_name": {"X"}, "broker_url": {"javascript:alert(1)"}}, 422, "broker_url"},
		{"activity ending before it starts", "/redaktion/tidsplan", url.Values{"activity_title_da": {"a"}, "activity_title_en": {"b"},
			"activity_audience": {"all"}, "activity_start": {"05-2027"}, "activity_end": {"04-2027"}}, 422, "activity_end"},
		{"activity month typed wrong", "/redaktion/tidsplan", url.Values{"activity_title_da": {"a"}, "activity_title_en": {"b"},
			"activity_audience": {"all"}, "activity_start": {"2027-05"}, "activity_end": {"05-2027"}}, 422, "activity_start"},
		{"activity audience forged", "/redaktion/tidsplan", url.Values{"activity_title_da": {"a"}, "activity_title_en": {"b"},
			"activity_audience": {"everyone"}, "activity_start": {"05-2027"}, "activity_end": {"05-2027"}}, 422, "activity_audience"},
		{"question in a forged topic", "/redaktion/spoergsmaal/ny", url.Values{"qa_category": {"999999"}, "qa_question_da": {"a"},
			"qa_answer_da": {"b"}, "qa_question_en": {"c"}, "qa_answer_en": {"d"}}, 422, "qa_category"},
		{"question without an answer", "/redaktion/spoergsmaal/ny", url.Values{"qa_category": {fmt.Sprint(cat)}, "qa_question_da": {"a"},
			"qa_question_en": {"c"}, "qa_answer_en": {"d"}}, 422, "qa_answer_da"},
		{"visibility forged", entryPath + "/synlighed", url.Values{"vis": {"maybe"}}, 400, ""},
		{"move forged", entryPath + "/flyt", url.Values{"dir": {"sideways"}}, 400, ""},
		{"question not a number", "/redaktion/spoergsmaal/abc", url.Values{}, 404, ""},
		{"missing question", "/redaktion/spoergsmaal/999999/synlighed", url.Values{"vis": {"ja"}}, 404, ""},
		{"missing broker", "/redaktion/brokere/999999", url.Values{"broker_name": {"X"}, "broker_url": {"x.dk"}}, 404, ""},
		{"missing activity", "/redaktion/tidsplan/999999/slet", url.Values{}, 404, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := siteDataPrint(t, env)
			a := audits()
			res, body := ed.post(t, tt.path, tt.fields)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.field != "" && !strings.Contains(body, `href="#`+tt.field+`"`) {
				t.Errorf("no error summary naming %s", tt.field)
			}
			if after := siteDataPrint(t, env); after != before {
				t.Errorf("the refused change wrote:\nbefore %s\nafter  %s", before, after)
			}
			if audits() != a {
				t.Error("a refused change was audited")
			}
		})
	}
}

// siteDataPrint sums up the structured content's tables.
func siteDataPrint(t *testing.T, env *apptest.Env) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"qa_category", "qa_entry", "broker", "timeline_activity", "site_text"} {
		parts = append(parts, fmt.Sprintf(`(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %s t)`, table))
	}
	var s string
	if err := env.App.Pool.QueryRow(context.Background(), "SELECT concat_ws(',', "+strings.Join(parts, ", ")+")").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
