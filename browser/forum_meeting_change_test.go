package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign/forum"
	"mitidportal/mail/mailtest"
)

// TestForumMeetingChange is the story of a meeting that moves: a member of a forum
// organisation signs up on the meeting's page; the editor opens the meeting's editor page,
// whose edit form shows the meeting as saved, saves it with a wrong date first (the error
// summary, checked with axe in Danish and in English), and then moves the meeting a week on to
// another room. The member's mail names the new time and room, and the member's meeting page
// shows them.
func TestForumMeetingChange(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.Port})
	s := approvedOrgWithMember(t, env, smtpSrv, "da")
	// The organisation joins the forum and the meeting is created through the domain: the
	// pages that do both have their own stories (campaign_orgs_test.go, forum_test.go).
	ed := joinForum(t, env, s)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	day := time.Now().In(loc).AddDate(0, 0, 30)
	starts := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc)
	m, err := env.App.Forum.CreateMeeting(ctx, ed.ID, forum.NewMeeting{TitleDA: "Møde om kampagnens materialer",
		TitleEN: "Meeting on the campaign's material", Audience: forum.ForAll, Starts: starts, Ends: starts.Add(2 * time.Hour),
		Place: "Landgreven 4, København", Capacity: 20, SignupDeadline: starts.AddDate(0, 0, -10)})
	if err != nil {
		t.Fatal(err)
	}
	public := "/forum/moeder/" + strconv.FormatInt(m.ID, 10)
	path := "/redaktion/forum/moeder/" + strconv.FormatInt(m.ID, 10)

	// The member signs up.
	mt := s.MemberTab
	problemsM := pageProblems(t, mt)
	navigate(t, mt, withLang(env.URL+public, "da"))
	click(t, mt, sel("meeting-signup"))
	if !has(t, mt, sel("signed-up")) {
		t.Fatalf("after signing up: %s", clip(mainText(t, mt), 400))
	}

	// The editor's edit form, filled in; a wrong date shows the error summary in both languages.
	e := s.EditorTab
	problemsE := pageProblems(t, e)
	for _, lang := range languages {
		navigate(t, e, withLang(env.URL+path, lang))
		if got := eval[string](t, e, `document.querySelector('#meeting_date').value`); got != starts.Format("02-01-2006") {
			t.Errorf("the edit form's date is %q, want the meeting's %s", got, starts.Format("02-01-2006"))
		}
		checkAxe(t, e, path+" with the edit form ("+lang+")")
		fill(t, e, "#meeting_date", "31-02-2030")
		click(t, e, sel("meeting-save"))
		wantErrorSummary(t, e, "an edit with a wrong date ("+lang+")")
		if !has(t, e, `[data-testid="error-summary"] a[href="#meeting_date"]`) {
			t.Errorf("the summary does not lead to the date (%s): %s", lang, clip(mainText(t, e), 400))
		}
		checkAxe(t, e, path+" edit form with an error ("+lang+")")
	}

	// The editor moves the meeting a week on, to another room.
	navigate(t, e, withLang(env.URL+path, "da"))
	moved := starts.AddDate(0, 0, 7)
	fill(t, e, "#meeting_date", moved.Format("02-01-2006"))
	fill(t, e, "#place", "Lokale 3, Landgreven 4")
	click(t, e, sel("meeting-save"))
	wantPath(t, e, path)
	if !has(t, e, sel("notice")) {
		t.Errorf("no notice after saving: %s", clip(mainText(t, e), 400))
	}
	checkAxe(t, e, path+" saved (da)")

	// The member's mail names the new time and room; so does the meeting's page.
	when := moved.Format("02-01-2006 15:04")
	to := s.Member.Person.Email
	got, ok := smtpSrv.Wait(func(msg mailtest.Message) bool { return msg.SentTo(to) && msg.Mentions(when) }, 30*time.Second)
	if !ok {
		t.Fatalf("no mail to %s naming %s within 30 s; got: %s", to, when, smtpSrv.Summary())
	}
	if !strings.Contains(got.Text, "Lokale 3, Landgreven 4") || !strings.Contains(got.Text, public) {
		t.Errorf("the mail lacks the room or the meeting's link:\n%s", got.Text)
	}
	navigate(t, mt, withLang(env.URL+public, "da"))
	if page := mainText(t, mt); !strings.Contains(page, when) || !strings.Contains(page, "Lokale 3") {
		t.Errorf("the member's meeting page does not show %s in Lokale 3: %s", when, clip(page, 400))
	}
	checkAxe(t, mt, public+" moved (da)")
	forumProblems(t, problemsE())
	forumProblems(t, problemsM())
}
