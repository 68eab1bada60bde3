package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/identity"
)

// roundWorld is a portal with a forum organisation (its admin is the forum member), an
// organisation outside the forum, a citizen in no organisation, a campaign editor and a pack
// with two drafts; the editor opens a round on the first over HTTP.
type roundWorld struct {
	env                     *apptest.Env
	clock                   *apptest.Clock
	editor                  *browser
	forum, outside, citizen *browser
	forumID                 identity.MitID
	draft, spare            campaign.Item
	round                   string // the round's editor path
	id                      string
	deadline                time.Time
}

var copenhagen, _ = time.LoadLocation("Europe/Copenhagen")

func newRoundWorld(t *testing.T) *roundWorld {
	t.Helper()
	ctx := context.Background()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	w := &roundWorld{env: env, clock: clock, forumID: env.NewCitizen(t)}
	fw := newOrgWorld(t, env, 1, w.forumID, identity.MitID{})
	if err := env.App.Orgs.SetForumMember(ctx, fw.org.ID, fw.editor.ID, true); err != nil {
		t.Fatal(err)
	}
	outsider := env.NewCitizen(t)
	newOrgWorld(t, env, 2, outsider, identity.MitID{})
	w.editor = staffSession(t, env, fw.editor)
	w.forum = orgBrowser(t, env, w.forumID, "org_admin")
	w.outside = orgBrowser(t, env, outsider, "org_admin")
	w.citizen = orgBrowser(t, env, env.NewCitizen(t))
	pk, err := env.App.Packs.CreatePack(ctx, fw.editor.ID, campaign.NewPack{Slug: "aeldre", Audience: campaign.AudiencePrivate,
		TitleDA: "Ældre borgere", TitleEN: "Older citizens"})
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range []*campaign.Item{&w.draft, &w.spare} {
		*it, err = env.App.Packs.CreateItem(ctx, fw.editor.ID, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
			Audience: campaign.ForSeniors, Lang: "da", Title: fmt.Sprintf("Folder %d", i+1), Visibility: campaign.VisiblePublic},
			campaign.Upload{Filename: "folder.pdf", Body: strings.NewReader(testPDF)})
		if err != nil {
			t.Fatal(err)
		}
	}
	w.deadline = clock.Now().Add(14 * 24 * time.Hour).In(copenhagen)
	w.deadline = time.Date(w.deadline.Year(), w.deadline.Month(), w.deadline.Day(), 16, 0, 0, 0, copenhagen)
	res, body := w.editor.post(t, "/redaktion/feedback", w.editor.keyed(t, "/redaktion/feedback", url.Values{"round_title": {"Folder til ældre"},
		"round_description": {"Er **teksten** let at læse?"}, "deadline_date": {w.deadline.Format("02-01-2006")},
		"deadline_time": {"16:00"}, "items": {strconv.FormatInt(w.draft.ID, 10)}}))
	loc, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/redaktion/feedback/") {
		t.Fatalf("open the round: %d %q\n%s", res.StatusCode, loc, body)
	}
	w.round, w.id = loc, strings.TrimPrefix(loc, "/redaktion/feedback/")
	return w
}

func (w *roundWorld) forumPath() string { return "/forum/feedback/" + w.id }

func (w *roundWorld) commentPath(it campaign.Item) string {
	return w.forumPath() + "/materiale/" + strconv.FormatInt(it.ID, 10) + "/kommentar"
}

func status(t *testing.T, b *browser, path string) int {
	t.Helper()
	code, _ := b.get(t, path)
	return code
}

// TestRoundOverHTTP: the round from the member's and the editor's side: the notice mail, the
// draft on the forum's pages and downloads for forum members only, a comment, the editor's
// grouped view, handled marking (audited), the filter, the CSV, and the end of the round.
func TestRoundOverHTTP(t *testing.T) {
	t.Parallel()
	w := newRoundWorld(t)
	file := "/kommunikation/fil/" + strconv.FormatInt(w.draft.ID, 10)
	if n := count(t, w.env, `SELECT count(*) FROM mail_outbox WHERE kind = 'round.opened'`); n != 1 {
		t.Errorf("%d round notices, want 1 (the forum organisation's one member)", n)
	}
	if n := count(t, w.env, `SELECT count(*) FROM audit_log WHERE action = 'round_opened'`); n != 1 {
		t.Errorf("%d audit entries of the opening", n)
	}
	t.Run("who sees the draft", func(t *testing.T) {
		for _, tc := range []struct {
			name              string
			b                 *browser
			list, page, files int
		}{
			{"forum member", w.forum, 200, 200, 200},
			{"member outside the forum", w.outside, 403, 403, 404},
			{"citizen in no organisation", w.citizen, 403, 403, 404},
			{"visitor", newBrowser(t, w.env, nil, ""), 303, 303, 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := status(t, tc.b, "/forum/feedback"); got != tc.list && !(tc.list == 303 && got == 302) {
					t.Errorf("list: %d, want %d", got, tc.list)
				}
				if got := status(t, tc.b, w.forumPath()); got != tc.page && !(tc.page == 303 && got == 302) {
					t.Errorf("round: %d, want %d", got, tc.page)
				}
				if got := status(t, tc.b, file); got != tc.files {
					t.Errorf("file: %d, want %d", got, tc.files)
				}
			})
		}
		if body := w.outside.page(t, "/forum/feedback"); !strings.Contains(body, `data-testid="forum-forbidden"`) ||
			!strings.Contains(body, `href="/organisationer"`) {
			t.Error("the 403 page does not say who may take part and where to go")
		}
		body := w.forum.page(t, w.forumPath())
		for _, want := range []string{"Folder 1", `href="` + file + `"`, "<strong>teksten</strong>", `data-testid="comment-form-`} {
			if !strings.Contains(body, want) {
				t.Errorf("the round page lacks %q", want)
			}
		}
		if strings.Contains(body, "Folder 2") {
			t.Error("the round page shows a draft that is not in the round")
		}
		res, _ := get(t, w.env, file, nil, w.forumCookie(t))
		if cc := res.Header.Get("Cache-Control"); res.StatusCode != 200 || !strings.HasPrefix(cc, "private") {
			t.Errorf("the draft's file: %d, Cache-Control %q, want private", res.StatusCode, cc)
		}
	})
	t.Run("comment", func(t *testing.T) {
		w.forum.page(t, w.forumPath())
		res, _ := w.forum.post(t, w.commentPath(w.draft), url.Values{"comment": {"=HYPERLINK(\"x\")\nTeksten er god."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("comment: %d", res.StatusCode)
		}
		if body := w.forum.page(t, w.forumPath()); !strings.Contains(body, "Teksten er god.") {
			t.Error("the member does not see their comment")
		}
	})
	var cid string
	t.Run("the editor's view", func(t *testing.T) {
		body := w.editor.page(t, w.round)
		group := body[strings.Index(body, `data-testid="round-group-`+strconv.FormatInt(w.draft.ID, 10)):]
		if !strings.Contains(group, "Teksten er god.") || !strings.Contains(group, "Forening 1") {
			t.Fatalf("the comment is not shown at its item with its organisation:\n%s", body)
		}
		cid = strconv.Itoa(count(t, w.env, `SELECT max(id) FROM feedback_comment`))
		res, _ := w.editor.post(t, w.round+"/kommentar/"+cid, url.Values{"handled": {"yes"}, "handled_note": {"Rettet"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark handled: %d", res.StatusCode)
		}
		if n := count(t, w.env, `SELECT count(*) FROM audit_log WHERE action = 'round_comment_handled'`); n != 1 {
			t.Errorf("%d audit entries of handling", n)
		}
		if body := w.editor.page(t, w.round+"?vis=ubehandlede"); strings.Contains(body, "Teksten er god.") {
			t.Error("the unhandled filter shows a handled comment")
		}
		if body := w.editor.page(t, w.round); !strings.Contains(body, `data-testid="comment-handled"`) || !strings.Contains(body, "Rettet") {
			t.Error("the comment is not shown handled with its note")
		}
		res, csv := get(t, w.env, w.round+"/kommentarer.csv", nil, w.editorCookie(t))
		if res.StatusCode != 200 || !strings.Contains(csv, `"'=HYPERLINK(""x"")`) || !strings.HasPrefix(csv, "\uFEFF") {
			t.Errorf("CSV %d:\n%s", res.StatusCode, csv)
		}
	})
	t.Run("after the deadline", func(t *testing.T) {
		w.clock.Advance(time.Until(w.deadline) + time.Minute)
		defer w.clock.Advance(-(time.Until(w.deadline) + time.Minute))
		res, body := w.forum.post(t, w.commentPath(w.draft), url.Values{"comment": {"For sent"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-summary"`) {
			t.Errorf("a late comment: %d", res.StatusCode)
		}
		if got := status(t, w.forum, file); got != 404 {
			t.Errorf("file after the deadline: %d", got)
		}
		if got := status(t, w.forum, w.forumPath()); got != 404 {
			t.Errorf("round page after the deadline: %d", got)
		}
	})
	t.Run("closed", func(t *testing.T) {
		w.editor.page(t, w.round)
		if res, _ := w.editor.post(t, w.round+"/luk", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", res.StatusCode)
		}
		res, body := w.forum.post(t, w.commentPath(w.draft), url.Values{"comment": {"Lukket?"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "lukket") {
			t.Errorf("a comment on a closed round: %d", res.StatusCode)
		}
		if got := status(t, w.forum, file); got != 404 {
			t.Errorf("file after closing: %d", got)
		}
		if res, _ := w.editor.post(t, w.round+"/frist", url.Values{"deadline_date": {w.deadline.Format("02-01-2006")},
			"deadline_time": {"17:00"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("a closed round's deadline: %d", res.StatusCode)
		}
	})
}

func (w *roundWorld) editorCookie(t *testing.T) *http.Cookie { return w.cookieOf(t, w.editor) }

func (w *roundWorld) forumCookie(t *testing.T) *http.Cookie { return w.cookieOf(t, w.forum) }

func (w *roundWorld) cookieOf(t *testing.T, b *browser) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(w.env.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == w.env.App.Sessions.CookieName() {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// TestRoundRefusals: what an editor or a member can send wrongly is shown at its field or
// refused without a 500, and writes nothing.
func TestRoundRefusals(t *testing.T) {
	t.Parallel()
	w := newRoundWorld(t)
	future := w.deadline.Format("02-01-2006")
	spare := strconv.FormatInt(w.spare.ID, 10)
	for _, tc := range []struct {
		name   string
		b      *browser
		path   string
		fields url.Values
		want   int
		field  string // the field the error summary links to, "" for none
	}{
		{"no title", w.editor, "/redaktion/feedback", url.Values{"deadline_date": {future}, "deadline_time": {"16:00"}, "items": {spare}}, 422, "round_title"},
		{"impossible date", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {"31-02-2027"}, "deadline_time": {"16:00"}, "items": {spare}}, 422, "deadline_date"},
		{"bad time", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {future}, "deadline_time": {"25:61"}, "items": {spare}}, 422, "deadline_time"},
		{"past deadline", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {"01-01-2020"}, "deadline_time": {"16:00"}, "items": {spare}}, 422, "deadline_date"},
		{"no items", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {future}, "deadline_time": {"16:00"}}, 422, "items"},
		{"forged item", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {future}, "deadline_time": {"16:00"}, "items": {"x"}}, 400, ""},
		{"unknown item", w.editor, "/redaktion/feedback", url.Values{"round_title": {"R"}, "deadline_date": {future}, "deadline_time": {"16:00"}, "items": {"999999"}}, 422, "items"},
		{"deadline in the past", w.editor, w.round + "/frist", url.Values{"deadline_date": {"01-01-2020"}, "deadline_time": {"16:00"}}, 422, "deadline_date"},
		{"add a forged item", w.editor, w.round + "/materiale", url.Values{"item": {"abc"}}, 422, "item"},
		{"add an unknown item", w.editor, w.round + "/materiale", url.Values{"item": {"999999"}}, 422, "item"},
		{"remove an item not in the round", w.editor, w.round + "/materiale/" + spare + "/fjern", url.Values{}, 404, ""},
		{"handle an unknown comment", w.editor, w.round + "/kommentar/999999", url.Values{"handled": {"yes"}}, 404, ""},
		{"forged handled value", w.editor, w.round + "/kommentar/1", url.Values{"handled": {"maybe"}}, 400, ""},
		{"an unknown round", w.editor, "/redaktion/feedback/999999/luk", url.Values{}, 404, ""},
		{"empty comment", w.forum, w.commentPath(w.draft), url.Values{"comment": {"  "}}, 422, "comment"},
		{"comment on an item not in the round", w.forum, w.commentPath(w.spare), url.Values{"comment": {"Hej"}}, 404, ""},
		{"comment on an unknown round", w.forum, "/forum/feedback/999999/materiale/1/kommentar", url.Values{"comment": {"Hej"}}, 404, ""},
		{"comment outside the forum", w.outside, w.commentPath(w.draft), url.Values{"comment": {"Hej"}}, 403, ""},
		{"comment by a citizen", w.citizen, w.commentPath(w.draft), url.Values{"comment": {"Hej"}}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := roundRows(t, w.env)
			if tc.path == "/redaktion/feedback" {
				tc.fields = tc.b.keyed(t, tc.path, tc.fields)
			}
			res, body := tc.b.post(t, tc.path, tc.fields)
			if res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.field != "" && !strings.Contains(body, `href="#`+tc.field+`"`) {
				t.Errorf("the error summary does not link to %s", tc.field)
			}
			wantNoNewRows(t, tc.name, before, roundRows(t, w.env))
		})
	}
}

// roundRows counts the rows of every table but the audit sealer's (it seals on its own clock)
// and the throttle's (a comment is counted before it is checked, so parallel posts hold the
// limit: TestRoundCommentsParallelHoldTheLimit).
func roundRows(t *testing.T, env *apptest.Env) map[string]int64 {
	t.Helper()
	rows := tableRows(t, env)
	delete(rows, "throttle_counter")
	return rows
}

// TestRoundGETsWriteNothing: every GET of the rounds, as editor and as forum member, writes no
// row in any table.
func TestRoundGETsWriteNothing(t *testing.T) {
	t.Parallel()
	w := newRoundWorld(t)
	if _, err := w.env.App.AuditChain.Seal(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The member's file download is counted in memory, not by the GET, and the counter's own
	// clock flushes the counts every 5 s into pack_download, which may land between the two
	// counts: that table is the counter's (TestPackDownloadsCountedWithoutWrites checks it).
	rows := func() map[string]int64 {
		r := tableRows(t, w.env)
		delete(r, "pack_download")
		return r
	}
	before := rows()
	for _, p := range []string{"/redaktion/feedback", w.round, w.round + "?vis=ubehandlede", w.round + "/kommentarer.csv"} {
		if got := status(t, w.editor, p); got != 200 {
			t.Errorf("editor GET %s: %d", p, got)
		}
	}
	for _, p := range []string{"/forum/feedback", w.forumPath(), "/kommunikation/fil/" + strconv.FormatInt(w.draft.ID, 10)} {
		if got := status(t, w.forum, p); got != 200 {
			t.Errorf("member GET %s: %d", p, got)
		}
	}
	wantNoNewRows(t, "GETs of the rounds", before, rows())
}

// TestRoundCommentsParallelHoldTheLimit: 100 parallel comments of one member store at most
// campaign.CommentLimit; the rest are 429 with the form, none 500.
func TestRoundCommentsParallelHoldTheLimit(t *testing.T) {
	t.Parallel()
	w := newRoundWorld(t)
	w.forum.page(t, w.forumPath())
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 100 {
		wg.Go(func() {
			res, err := w.forum.postForm(w.commentPath(w.draft), url.Values{"comment": {"Hej"}})()
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			codes[res.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := count(t, w.env, `SELECT count(*) FROM feedback_comment`); n != campaign.CommentLimit || codes[http.StatusSeeOther] != n ||
		codes[http.StatusTooManyRequests] != 100-n {
		t.Errorf("%d comments stored, answers %v; want %d", n, codes, campaign.CommentLimit)
	}
}

// inputRound is the input table's feedback round: open on the input editor's draft, the input
// organisation in the forum, and one comment of the fixture's citizen (its admin).
type inputRound struct {
	round, item, comment int64
}

var inputRounds sync.Map // *inputFixture -> inputRound

func (fx *inputFixture) round() inputRound {
	if r, ok := inputRounds.Load(fx); ok {
		return r.(inputRound)
	}
	ctx := context.Background()
	ed, world := fx.editor(), fx.orgs().world
	if err := fx.env.App.Orgs.SetForumMember(ctx, world.org.ID, ed.editor.ID, true); err != nil {
		panic(err)
	}
	rd, err := fx.env.App.Rounds.Open(ctx, ed.editor.ID, campaign.NewRound{Title: "Runde",
		Deadline: time.Now().Add(30 * 24 * time.Hour), Items: []int64{ed.item}})
	if err != nil {
		panic(err)
	}
	v, err := fx.env.App.Packs.ViewerOf(ctx, fx.citizen.ID, false)
	if err != nil {
		panic(err)
	}
	c, err := fx.env.App.Rounds.Comment(ctx, v, rd.ID, ed.item, "Fin folder")
	if err != nil {
		panic(err)
	}
	r := inputRound{round: rd.ID, item: ed.item, comment: c.ID}
	inputRounds.Store(fx, r)
	return r
}

func roundPath(tail func(r inputRound) string) func(*inputFixture) string {
	return func(fx *inputFixture) string {
		r := fx.round()
		return "/redaktion/feedback/" + strconv.FormatInt(r.round, 10) + tail(r)
	}
}
