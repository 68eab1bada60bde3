package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
)

var formKeyInput = regexp.MustCompile(`name="form_key" value="([^"]+)"`)

// keyed is fields with the one-time key (db.Once) of a fresh render of the form on page path,
// as a browser sends it.
func (b *browser) keyed(t *testing.T, path string, fields url.Values) url.Values {
	t.Helper()
	m := formKeyInput.FindStringSubmatch(b.page(t, path))
	if m == nil {
		t.Fatalf("the form on %s has no one-time key", path)
	}
	out := url.Values{"form_key": {m[1]}}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// sameAnswers checks that every answer is 303 to one place with prefix and returns it.
func sameAnswers(t *testing.T, got []answer, prefix string) string {
	t.Helper()
	for _, a := range got {
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, prefix) || a.location != got[0].location {
			t.Errorf("an answer is %d to %q; want 303 to %q as the first", a.status, a.location, got[0].location)
		}
	}
	return got[0].location
}

// TestRoundOpenedOnceBySameForm: the form that opens a feedback round sent ten times at once
// (a double click, "send again") opens one round and mails each forum member once; every
// answer goes to that round. Two renders of the form open two rounds; a form without its key
// is refused and opens nothing.
func TestRoundOpenedOnceBySameForm(t *testing.T) {
	t.Parallel()
	w := newRoundWorld(t) // it opened one round, and mailed the one forum member
	rounds := func() int { return count(t, w.env, `SELECT count(*) FROM feedback_round`) }
	mails := func() int { return count(t, w.env, `SELECT count(*) FROM mail_outbox WHERE kind = 'round.opened'`) }
	form := url.Values{"round_title": {"Plakat til biblioteker"}, "deadline_date": {w.deadline.Format("02-01-2006")},
		"deadline_time": {"16:00"}, "items": {strconv.FormatInt(w.spare.ID, 10)}}

	got := atOnce(t, 10, w.editor.postForm("/redaktion/feedback", w.editor.keyed(t, "/redaktion/feedback", form)))
	where := sameAnswers(t, got, "/redaktion/feedback/")
	if rounds() != 2 || mails() != 2 {
		t.Fatalf("one form sent ten times: %d rounds and %d notices, want 2 and 2 (with the first round's)", rounds(), mails())
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(where, "/redaktion/feedback/"), "?")
	var title string
	if err := w.env.App.Pool.QueryRow(context.Background(), `SELECT title FROM feedback_round WHERE id = $1`, id).Scan(&title); err != nil ||
		title != "Plakat til biblioteker" {
		t.Errorf("the answers go to round %s (%q, %v), not the one the form opened", id, title, err)
	}

	first, second := w.editor.keyed(t, "/redaktion/feedback", form), w.editor.keyed(t, "/redaktion/feedback", form)
	a, _ := w.editor.post(t, "/redaktion/feedback", first)
	b, _ := w.editor.post(t, "/redaktion/feedback", second)
	if a.StatusCode != http.StatusSeeOther || b.StatusCode != http.StatusSeeOther || a.Header.Get("Location") == b.Header.Get("Location") {
		t.Errorf("two renders of the form: %d to %q and %d to %q, want two rounds", a.StatusCode, a.Header.Get("Location"),
			b.StatusCode, b.Header.Get("Location"))
	}
	if rounds() != 4 || mails() != 4 {
		t.Errorf("after two renders: %d rounds, %d notices; want 4 and 4", rounds(), mails())
	}

	for _, key := range []string{"", "nøgle", "AAAA"} {
		res, _ := w.editor.post(t, "/redaktion/feedback", url.Values{"form_key": {key}, "round_title": {"Uden nøgle"},
			"deadline_date": {w.deadline.Format("02-01-2006")}, "deadline_time": {"16:00"}, "items": {strconv.FormatInt(w.spare.ID, 10)}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a form with the key %q: %d, want 400", key, res.StatusCode)
		}
	}
	if rounds() != 4 {
		t.Errorf("a form without its key opened a round")
	}
}

// TestCannedReplySavedOnceBySameForm: the new canned reply form sent ten times at once saves
// one shared reply, and every answer goes to it; two renders with the same text save two.
func TestCannedReplySavedOnceBySameForm(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	sup, _, err := env.App.Server.Staff.Create(context.Background(), "sune@styrelsen.dk", "Sune Supervisor", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	b := staffSession(t, env, sup)
	const path = "/medarbejder/svar/ny"
	form := cannedForm("kind", "shared", "title_da", "Brev på vej", "title_en", "Letter on its way")
	saved := func() int {
		return count(t, env, `SELECT count(*) FROM support_canned WHERE title_da = 'Brev på vej' AND owner_id IS NULL`)
	}

	got := atOnce(t, 10, b.postForm(path, b.keyed(t, path, form)))
	where := sameAnswers(t, got, "/medarbejder/svar?udfoert=oprettet#svar-")
	if n := saved(); n != 1 {
		t.Fatalf("one form sent ten times saved %d replies, want 1", n)
	}
	var id int64
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT id FROM support_canned WHERE title_da = 'Brev på vej'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if want := "#svar-" + strconv.FormatInt(id, 10); !strings.HasSuffix(where, want) {
		t.Errorf("the answers go to %q, want the reply's row %s", where, want)
	}
	if list := b.page(t, where); !strings.Contains(list, `id="svar-`+strconv.FormatInt(id, 10)+`"`) {
		t.Error("the list has no row the answer's anchor leads to")
	}

	for range 2 {
		if res, _ := b.post(t, path, b.keyed(t, path, form)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a new render of the form: %d", res.StatusCode)
		}
	}
	if n := saved(); n != 3 {
		t.Errorf("two more renders of the form: %d replies in all, want 3", n)
	}
	if res, _ := b.post(t, path, form); res.StatusCode != http.StatusBadRequest || saved() != 3 {
		t.Errorf("a form without its key: %d, want 400 and nothing saved", res.StatusCode)
	}
}
