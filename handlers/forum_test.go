package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign/forum"
	"mitidportal/identity"
	"mitidportal/staff"
)

// forumWorld is an approved forum organisation with a member who has a login, an editor, a
// planned meeting with a presentation and an open question.
type forumWorld struct {
	env      *apptest.Env
	member   identity.MitID
	orgID    int64
	editor   staff.User
	meeting  forum.Meeting
	file     forum.File
	question forum.Question
}

func newForumWorld(t testing.TB, env *apptest.Env, n int) *forumWorld {
	t.Helper()
	ctx := context.Background()
	w := &forumWorld{env: env, member: env.NewCitizen(t)}
	ow := newOrgWorld(t, env, n, w.member, identity.MitID{})
	w.orgID, w.editor = ow.org.ID, ow.editor
	if err := env.App.Orgs.SetForumMember(ctx, w.orgID, w.editor.ID, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var err error
	w.meeting, err = env.App.Forum.CreateMeeting(ctx, w.editor.ID, forum.NewMeeting{TitleDA: "Møde (privat) – feedback på materialer",
		TitleEN: "Meeting (private) – feedback on material", Audience: forum.ForPrivate, Starts: now.Add(20 * 24 * time.Hour),
		Ends: now.Add(20*24*time.Hour + 2*time.Hour), Place: "Landgreven 4, København", AgendaDA: "# Dagsorden\n\n1. Velkomst",
		AgendaEN: "# Agenda\n\n1. Welcome", Capacity: 30, SignupDeadline: now.Add(10 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if w.file, err = env.App.Forum.AddFile(ctx, w.editor.ID, w.meeting.ID, forum.Presentation, "Præsentation.pdf",
		strings.NewReader(testPDF)); err != nil {
		t.Fatal(err)
	}
	if w.question, err = env.App.Forum.CreateQuestion(ctx, w.editor.ID, "Mangler der noget på planen?",
		"Is anything missing from the plan?", nil); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *forumWorld) memberBrowser(t *testing.T) *browser {
	return orgBrowser(t, w.env, w.member, "org_admin", "org_member")
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// forumPaths are the forum's member routes with the world's ids.
func (w *forumWorld) forumPaths() (gets, posts []string) {
	m, q := id(w.meeting.ID), id(w.question.ID)
	return []string{"/forum", "/forum/plan", "/forum/moeder/" + m, "/forum/filer/" + id(w.file.ID), "/forum/spoergsmaal/" + q},
		[]string{"/forum/moeder/" + m + "/tilmeld", "/forum/moeder/" + m + "/afmeld", "/forum/spoergsmaal/" + q}
}

// The input table's forum fixture: a forum world on the input fixture's portal, made once.
var inputForums sync.Map // *inputFixture -> *forumWorld

func (fx *inputFixture) forum() *forumWorld {
	if w, ok := inputForums.Load(fx); ok {
		return w.(*forumWorld)
	}
	w := newForumWorld(panicTB{}, fx.env, 40)
	inputForums.Store(fx, w)
	return w
}

func (fx *inputFixture) asForumMember(t *testing.T) *browser { return fx.forum().memberBrowser(t) }
func (fx *inputFixture) asForumEditor(t *testing.T) *browser {
	return staffSession(t, fx.env, fx.forum().editor)
}

// TestForumRefusesCitizensOutsideIt: a logged-in citizen who is a member of no forum
// organisation (here: of an approved organisation outside the forum) gets the forum's 403
// page, which says who may see it and links to their organisations, on every forum route.
func TestForumRefusesCitizensOutsideIt(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	w := newForumWorld(t, env, 41)
	outsider := env.NewCitizen(t)
	newOrgWorld(t, env, 42, outsider, identity.MitID{})
	b := orgBrowser(t, env, outsider, "org_admin", "org_member")
	b.page(t, "/organisationer") // a CSRF token
	gets, posts := w.forumPaths()
	check := func(t *testing.T, res *http.Response, body string) {
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-testid="forum-forbidden"`) ||
			!strings.Contains(body, `href="/organisationer"`) {
			t.Errorf("%d, want 403 with the forum's page:\n%.400s", res.StatusCode, body)
		}
	}
	for _, p := range gets {
		t.Run("GET "+p, func(t *testing.T) {
			res, err := b.client.Get(env.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			check(t, res, string(body))
		})
	}
	for _, p := range posts {
		t.Run("POST "+p, func(t *testing.T) {
			res, body := b.post(t, p, url.Values{"answer": {"Vi vil gerne være med"}})
			check(t, res, body)
		})
	}
	var n int
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM forum_signup) + (SELECT count(*) FROM forum_answer)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the outsider wrote %d rows (%v)", n, err)
	}
}

// TestForumMemberAndEditorOverHTTP: a member's GETs write nothing; the member signs up,
// downloads the presentation (ETag, attachment name), answers for the organisation; the
// editor sees the sign-up and the answer, and downloads both as CSV (BOM, formula-safe).
func TestForumMemberAndEditorOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	w := newForumWorld(t, env, 43)
	b := w.memberBrowser(t)
	gets, _ := w.forumPaths()
	before := tableRows(t, env)
	for _, p := range append(gets, "/forum/plan?halvaar=2027-2", "/forum/spoergsmaal/"+id(w.question.ID)+"?org="+id(w.orgID)) {
		if code, _ := b.get(t, p); code != http.StatusOK {
			t.Errorf("GET %s: %d", p, code)
		}
	}
	wantNoNewRows(t, "the member's GETs", before, tableRows(t, env))

	m := "/forum/moeder/" + id(w.meeting.ID)
	if body := b.page(t, m); !strings.Contains(body, "<h2") || !strings.Contains(body, "Velkomst") || !strings.Contains(body, `data-testid="meeting-signup"`) {
		t.Fatalf("meeting page without agenda or sign-up:\n%.600s", body)
	}
	if res, _ := b.post(t, m+"/tilmeld", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up: %d", res.StatusCode)
	}
	res, err := b.client.Get(env.URL + "/forum/filer/" + id(w.file.ID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") != `"`+w.file.SHA256+`"` ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "filename=\"Praesentation.pdf\"; filename*=utf-8''Pr%C3%A6sentation.pdf") ||
		res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
	q := "/forum/spoergsmaal/" + id(w.question.ID)
	b.page(t, q)
	answer := "=HYPERLINK(\"http://x\") Vores medlemmer mangler hjælp til MitID Erhverv"
	if res, _ := b.post(t, q, url.Values{"org": {id(w.orgID)}, "answer": {answer}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d", res.StatusCode)
	}

	ed := staffSession(t, env, w.editor)
	if body := ed.page(t, "/redaktion/forum/moeder/"+id(w.meeting.ID)); !strings.Contains(body, w.member.Username) && !strings.Contains(body, "Forening") {
		t.Errorf("the editor does not see the sign-up:\n%.600s", body)
	}
	for _, p := range []string{"/redaktion/forum/moeder/" + id(w.meeting.ID) + "/deltagere.csv", "/redaktion/forum/spoergsmaal/" + id(w.question.ID) + "/svar.csv"} {
		res, err := ed.client.Get(env.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		csv := string(raw)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(csv, "\uFEFF") || !strings.Contains(res.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s: %d %q", p, res.StatusCode, csv)
		}
		if strings.HasSuffix(p, "svar.csv") && !strings.Contains(csv, `"'=HYPERLINK(""http://x"")`) {
			t.Errorf("the answer is not in the CSV, or not made safe:\n%s", csv)
		}
	}
	// A member cannot reach the editors' pages.
	if code, _ := b.get(t, "/redaktion/forum/spoergsmaal/"+id(w.question.ID)+"/svar.csv"); code != http.StatusForbidden {
		t.Errorf("a member got the answers' CSV: %d", code)
	}
}

// TestForumBadInput: what a person can type or forge into the forum's URLs and forms is a 4xx
// answer, never a 500, and writes nothing.
func TestForumBadInput(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	w := newForumWorld(t, env, 44)
	b := w.memberBrowser(t)
	ed := staffSession(t, env, w.editor)
	q := "/forum/spoergsmaal/" + id(w.question.ID)
	b.page(t, q)
	ed.page(t, "/redaktion/forum")
	before := tableRows(t, env)
	gets := []struct {
		name, path string
		b          *browser
		want       int
	}{
		{"plan half-year not a half-year", "/forum/plan?halvaar=2027-3", b, http.StatusBadRequest},
		{"plan half-year text", "/forum/plan?halvaar=%00", b, http.StatusBadRequest},
		{"meeting id text", "/forum/moeder/abc", b, http.StatusNotFound},
		{"meeting id unknown", "/forum/moeder/999999", b, http.StatusNotFound},
		{"file id huge", "/forum/filer/99999999999999999999", b, http.StatusNotFound},
		{"question org text", q + "?org=x", b, http.StatusBadRequest},
		{"question org not theirs", q + "?org=999999", b, http.StatusNotFound},
		{"editor meeting unknown", "/redaktion/forum/moeder/999999", ed, http.StatusNotFound},
		{"editor question unknown", "/redaktion/forum/spoergsmaal/0", ed, http.StatusNotFound},
	}
	for _, tt := range gets {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := tt.b.get(t, tt.path); code != tt.want {
				t.Errorf("%d, want %d", code, tt.want)
			}
		})
	}
	// The plan links only to half-years it shows: none before the first, none after the last.
	for _, tt := range []struct{ half, gone, kept string }{
		{"2000-1", "plan-prev", "plan-next"},
		{"2100-2", "plan-next", "plan-prev"},
	} {
		body := b.page(t, "/forum/plan?halvaar="+tt.half)
		if !strings.Contains(body, `data-testid="plan-period"`) || strings.Contains(body, `data-testid="`+tt.gone+`"`) ||
			!strings.Contains(body, `data-testid="`+tt.kept+`"`) {
			t.Errorf("the plan of %s: want the plan without %s and with %s", tt.half, tt.gone, tt.kept)
		}
	}
	posts := []struct {
		name, path string
		b          *browser
		fields     url.Values
		want       int
	}{
		{"answer empty", q, b, url.Values{"org": {id(w.orgID)}, "answer": {"  "}}, http.StatusUnprocessableEntity},
		{"answer too long", q, b, url.Values{"org": {id(w.orgID)}, "answer": {strings.Repeat("ø", 5001)}}, http.StatusUnprocessableEntity},
		{"answer for another organisation", q, b, url.Values{"org": {"999999"}, "answer": {"x"}}, http.StatusNotFound},
		{"answer org forged", q, b, url.Values{"org": {"1 OR 1=1"}, "answer": {"x"}}, http.StatusBadRequest},
		{"sign up unknown meeting", "/forum/moeder/999999/tilmeld", b, url.Values{}, http.StatusNotFound},
		{"meeting ends before it starts", "/redaktion/forum/moeder", ed, url.Values{"meeting_title_da": {"Møde"}, "meeting_title_en": {"Meeting"},
			"meeting_audience": {"private"}, "meeting_date": {"24-03-2030"}, "start_time": {"12:00"}, "end_time": {"10:00"},
			"place": {"Her"}, "capacity": {"10"}, "deadline_date": {"20-03-2030"}, "deadline_time": {"12:00"}}, http.StatusUnprocessableEntity},
		{"meeting date nonsense", "/redaktion/forum/moeder", ed, url.Values{"meeting_date": {"31-02-2030"}, "capacity": {"-1"}}, http.StatusUnprocessableEntity},
		{"meeting video link javascript", "/redaktion/forum/moeder", ed, url.Values{"meeting_title_da": {"Møde"}, "meeting_title_en": {"Meeting"},
			"meeting_audience": {"all"}, "meeting_date": {"24-03-2030"}, "start_time": {"10:00"}, "end_time": {"12:00"},
			"video_url": {"javascript:alert(1)"}, "capacity": {"10"}, "deadline_date": {"20-03-2030"}, "deadline_time": {"12:00"}}, http.StatusUnprocessableEntity},
		{"status unknown", "/redaktion/forum/moeder/" + id(w.meeting.ID) + "/status", ed, url.Values{"status": {"done"}}, http.StatusUnprocessableEntity},
		{"activity months backwards", "/redaktion/forum/aktiviteter", ed, url.Values{"activity_title_da": {"A"}, "activity_title_en": {"A"},
			"first_month": {"05-2027"}, "last_month": {"03-2027"}}, http.StatusUnprocessableEntity},
		{"activity month 13", "/redaktion/forum/aktiviteter", ed, url.Values{"activity_title_da": {"A"}, "activity_title_en": {"A"},
			"first_month": {"13-2027"}, "last_month": {"13-2027"}}, http.StatusUnprocessableEntity},
		{"delete unknown activity", "/redaktion/forum/aktiviteter/999999/slet", ed, url.Values{}, http.StatusNotFound},
		{"question deadline past", "/redaktion/forum/spoergsmaal", ed, url.Values{"question_da": {"Spørgsmål"}, "question_en": {"Question"},
			"question_deadline": {"01-01-2020"}}, http.StatusUnprocessableEntity},
		{"question open forged", "/redaktion/forum/spoergsmaal/" + id(w.question.ID) + "/status", ed, url.Values{"open": {"måske"}}, http.StatusBadRequest},
	}
	for _, tt := range posts {
		t.Run(tt.name, func(t *testing.T) {
			res, body := tt.b.post(t, tt.path, tt.fields)
			if res.StatusCode != tt.want {
				t.Errorf("%d, want %d:\n%.300s", res.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusUnprocessableEntity && !strings.Contains(body, `data-testid="error-summary"`) {
				t.Error("no error summary")
			}
		})
	}
	wantNoNewRows(t, "refused input", before, tableRows(t, env))
	// A file the forum does not take is refused at its field and stores nothing.
	ed.page(t, "/redaktion/forum/moeder/"+id(w.meeting.ID))
	res, body := ed.streamPost(t, "/redaktion/forum/moeder/"+id(w.meeting.ID)+"/filer",
		[]field{{"file_kind", "minutes"}}, "referat.txt", strings.NewReader("bare tekst"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#file"`) {
		t.Errorf("text file: %d", res.StatusCode)
	}
}
