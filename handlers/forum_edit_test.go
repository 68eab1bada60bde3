package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/mail"
)

var versionInput = regexp.MustCompile(`<input type="hidden" name="version" value="([0-9a-f]+)"`)

// TestForumEditMeetingOverHTTP: the editor's meeting page shows the edit form filled in with
// the meeting as saved, and showing it writes nothing. Saving a new day mails the signed-up
// member once, at their membership's address, with the new time, which the member's meeting
// page then shows. A form from before another save is refused with the saved version in its
// place (saving it again goes through); fewer seats than are taken is refused at the capacity
// field. Cancelling mails the member, takes the edit form away and refuses a late edit.
func TestForumEditMeetingOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	w := newForumWorld(t, env, 44)
	ctx := context.Background()
	address := "kontakt44@example.dk" // the member's membership (newOrgWorld's contact, in Danish)
	mails := func(t *testing.T, kind string) []mail.Stored {
		t.Helper()
		all, err := mail.Recent(ctx, env.App.Pool, address, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []mail.Stored
		for _, m := range all {
			if m.Kind == kind {
				out = append(out, m)
			}
		}
		return out
	}
	member := w.memberBrowser(t)
	public := "/forum/moeder/" + id(w.meeting.ID)
	member.page(t, public)
	if res, _ := member.post(t, public+"/tilmeld", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign up: %d", res.StatusCode)
	}

	ed := staffSession(t, env, w.editor)
	path := "/redaktion/forum/moeder/" + id(w.meeting.ID)
	before := tableRows(t, env)
	page := ed.page(t, path)
	wantNoNewRows(t, "the editor's meeting page", before, tableRows(t, env))
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	starts := w.meeting.Starts.In(loc)
	form := formPosting(page, path+"/rediger")
	for field, value := range map[string]string{"meeting_date": starts.Format("02-01-2006"), "start_time": starts.Format("15:04"),
		"place": w.meeting.Place, "capacity": "30", "deadline_time": w.meeting.SignupDeadline.In(loc).Format("15:04")} {
		if !regexp.MustCompile(`name="` + field + `"[^>]*value="` + regexp.QuoteMeta(value) + `"`).MatchString(form) {
			t.Errorf("the edit form's %s is not %q", field, value)
		}
	}
	if !strings.Contains(form, "Velkomst</textarea>") {
		t.Error("the edit form lacks the Danish agenda")
	}
	v := versionInput.FindStringSubmatch(form)
	if v == nil {
		t.Fatalf("no version in the edit form:\n%.2000s", form)
	}
	moved := starts.AddDate(0, 0, 1)
	fields := func(version string, change ...string) url.Values {
		f := url.Values{"version": {version}, "meeting_title_da": {w.meeting.TitleDA}, "meeting_title_en": {w.meeting.TitleEN},
			"meeting_audience": {"private"}, "meeting_date": {moved.Format("02-01-2006")}, "start_time": {starts.Format("15:04")},
			"end_time": {w.meeting.Ends.In(loc).Format("15:04")}, "place": {"Lokale 2, Landgreven 4"}, "agenda_da": {w.meeting.AgendaDA},
			"agenda_en": {w.meeting.AgendaEN}, "capacity": {"30"},
			"deadline_date": {w.meeting.SignupDeadline.In(loc).Format("02-01-2006")},
			"deadline_time": {w.meeting.SignupDeadline.In(loc).Format("15:04")}}
		for i := 0; i < len(change); i += 2 {
			f.Set(change[i], change[i+1])
		}
		return f
	}
	if res, _ := ed.post(t, path+"/rediger", fields(v[1])); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != path+"?udfoert=rettet" {
		t.Fatalf("saving the edit: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	when := moved.Format("02-01-2006 15:04")
	got := mails(t, "meeting.moved")
	if len(got) != 1 || !strings.Contains(got[0].Text, when) || !strings.Contains(got[0].Text, "Lokale 2, Landgreven 4") ||
		!strings.Contains(got[0].Subject, "Mødet er ændret") || !strings.Contains(got[0].Text, public) {
		t.Fatalf("the member's mails about the move: %+v", got)
	}
	if body := member.page(t, public); !strings.Contains(body, when) || !strings.Contains(body, "Lokale 2") {
		t.Errorf("the member's meeting page does not show the new time and place %s:\n%.1500s", when, strip(body))
	}

	// The same form again: another save came between; the answer carries the saved version.
	res, body := ed.post(t, path+"/rediger", fields(v[1], "agenda_da", "1. Velkomst\n2. Nyt punkt"))
	again := versionInput.FindStringSubmatch(formPosting(body, path+"/rediger"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "En anden har gemt ændringer af mødet") ||
		again == nil || again[1] == v[1] {
		t.Fatalf("a stale form: %d, version %v:\n%.1500s", res.StatusCode, again, strip(body))
	}
	if res, _ := ed.post(t, path+"/rediger", fields(again[1], "agenda_da", "1. Velkomst\n2. Nyt punkt")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving again from the saved version: %d", res.StatusCode)
	}
	if n := len(mails(t, "meeting.moved")); n != 1 {
		t.Errorf("%d mails after an agenda change, want still 1", n)
	}

	// Fewer seats than are taken.
	if _, err := env.App.Pool.Exec(ctx, `UPDATE forum_meeting SET signed_up = 5 WHERE id = $1`, w.meeting.ID); err != nil {
		t.Fatal(err)
	}
	page = ed.page(t, path)
	v = versionInput.FindStringSubmatch(formPosting(page, path+"/rediger"))
	res, body = ed.post(t, path+"/rediger", fields(v[1], "capacity", "4", "agenda_da", "1. Velkomst\n2. Nyt punkt"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#capacity" class="function-link">Antal pladser kan ikke være lavere`) ||
		!strings.Contains(body, `id="capacity-error"`) {
		t.Errorf("seats below those taken: %d\n%.1500s", res.StatusCode, strip(body))
	}

	// Cancelled: the member is told, the form is gone, a late edit is refused.
	if res, _ := ed.post(t, path+"/status", url.Values{"status": {"cancelled"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancelling: %d", res.StatusCode)
	}
	if got := mails(t, "meeting.cancelled"); len(got) != 1 || !strings.Contains(got[0].Text, when) {
		t.Errorf("the member's cancellation mails: %+v", got)
	}
	page = ed.page(t, path)
	if formPosting(page, path+"/rediger") != "" || !strings.Contains(page, `data-testid="meeting-closed"`) {
		t.Errorf("a cancelled meeting's page still has the edit form")
	}
	res, body = ed.post(t, path+"/rediger", fields(v[1], "place", "Et tredje sted"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Et afholdt eller aflyst møde kan ikke ændres.") {
		t.Errorf("editing a cancelled meeting: %d\n%.1500s", res.StatusCode, strip(body))
	}
}
