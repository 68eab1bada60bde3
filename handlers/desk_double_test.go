package handlers_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mitidportal/support"
)

// answer is what one of several requests sent at once got back.
type answer struct {
	status   int
	location string
}

// atOnce sends n copies of the request send makes at the same moment and returns the answers.
func atOnce(t *testing.T, n int, send func() (*http.Response, error)) []answer {
	t.Helper()
	var (
		wg    sync.WaitGroup
		out   = make([]answer, n)
		errs  = make([]error, n)
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := send()
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			out[i] = answer{res.StatusCode, res.Header.Get("Location")}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// entriesOf counts the case's timeline entries of kind.
func (d agentDesk) entriesOf(t *testing.T, caseID int64, kind support.EntryKind) []support.Entry {
	t.Helper()
	all, err := d.env.App.Server.Cases.Timeline(context.Background(), caseID, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []support.Entry
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// outboxTo counts the case replies in the outbox to address.
func (d agentDesk) outboxTo(t *testing.T, address string) int {
	t.Helper()
	var n int
	err := d.env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox
		WHERE kind = 'case_reply' AND to_address = $1`, address).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeskWritingSentTwiceAtOnce: the case page's reply, note and call form, each sent 2 and
// 10 times at once (a double click, a form sent again while the first is under way), make one
// entry and, for the reply, one mail; every answer goes back to the case, the first with the
// usual notice and the others with the notice that it was done once.
func TestDeskWritingSentTwiceAtOnce(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	for _, tc := range []struct {
		action string
		kind   support.EntryKind
		form   url.Values
	}{
		{"svar", support.EntryReply, url.Values{"reply_body": {"Vi har sendt et nyt brev."}, "reply_status": {"waiting_for_citizen"}}},
		{"note", support.EntryNote, url.Values{"note_body": {"Ringer tilbage i morgen."}}},
		{"opkald", support.EntryCall, url.Values{"call_minutes": {"4"}, "outcome": {"solved"}, "call_note": {"Løst i telefonen."}}},
	} {
		for _, n := range []int{2, 10} {
			t.Run(tc.action+" "+strconv.Itoa(n), func(t *testing.T) {
				email := "dobbelt-" + tc.action + strconv.Itoa(n) + "@example.dk"
				c := d.open(t, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID, Subject: "Dobbeltklik",
					Name: "Bo Borger", Email: email, Message: "Hjælp.", AssigneeID: d.agent.ID})
				path := "/medarbejder/sager/" + c.Ref
				form := url.Values{"version": {strconv.Itoa(c.Version)}}
				for k, v := range tc.form {
					form[k] = v
				}
				got := atOnce(t, n, d.b.postForm(path+"/"+tc.action, form))
				done, again := 0, 0
				for _, a := range got {
					switch {
					case a.status != http.StatusSeeOther:
						t.Errorf("an answer is %d to %q, want 303 back to the case", a.status, a.location)
					case strings.HasPrefix(a.location, path+"?udfoert="+tc.action+"-igen"):
						again++
					case strings.HasPrefix(a.location, path+"?udfoert="+tc.action):
						done++
					default:
						t.Errorf("an answer goes to %q", a.location)
					}
				}
				if done != 1 || again != n-1 {
					t.Errorf("%d answers say done and %d done before, want 1 and %d", done, again, n-1)
				}
				if got := len(d.entriesOf(t, c.ID, tc.kind)); got != 1 {
					t.Errorf("%d %s entries, want 1", got, tc.kind)
				}
				wantMails := 0
				if tc.kind == support.EntryReply {
					wantMails = 1
				}
				if got := d.outboxTo(t, email); got != wantMails {
					t.Errorf("%d replies in the outbox to %s, want %d", got, email, wantMails)
				}
				for _, a := range got {
					if strings.Contains(a.location, "-igen") {
						page := d.b.page(t, a.location)
						want := map[string]string{"svar": "deskcase.notice.reply_repeated", "note": "deskcase.notice.note_repeated",
							"opkald": "deskcase.notice.call_repeated"}[tc.action]
						if !strings.Contains(page, html.EscapeString(d.tr.T(want))) {
							t.Errorf("the case after a repeated %s lacks the notice %s", tc.action, want)
						}
						break
					}
				}
			})
		}
	}
}

// TestDeskStaleWritingKeepsText: a reply, note or call on a form from before a colleague's
// change sends and saves nothing; the case comes back as it now is (409) with the conflict,
// the text typed and the new version. The same agent's other text on an old form (a second
// tab) is stale too: only the very entry sent again counts as done.
func TestDeskStaleWritingKeepsText(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	cases := d.env.App.Server.Cases
	colleague, _, err := d.env.App.Server.Staff.Create(ctx, "kaj@styrelsen.dk", "Kaj Kollega", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	c := d.open(t, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID, Subject: "Gammel formular",
		Name: "Bo Borger", Email: "gammel@example.dk", Message: "Hjælp.", AssigneeID: d.agent.ID})
	path := "/medarbejder/sager/" + c.Ref
	old := strconv.Itoa(c.Version)
	// The colleague writes a note (the same text the agent will send) and tags the case.
	if _, err := cases.WriteNote(ctx, c.ID, colleague.ID, "Ringer tilbage.", c.Version); err != nil {
		t.Fatal(err)
	}
	now, err := cases.SetTags(ctx, c.ID, colleague.ID, []string{"opfølgning"}, c.Version+1)
	if err != nil {
		t.Fatal(err)
	}
	stale := d.tr.T(support.ErrWrittenStale.MsgID)
	for _, tc := range []struct {
		action, field, text string
		form                url.Values
	}{
		{"svar", "reply_body", "Vi har spærret dit MitID.", url.Values{"reply_status": {"waiting_for_citizen"}}},
		{"note", "note_body", "Ringer tilbage.", url.Values{}},
		{"opkald", "call_note", "Kort opkald.", url.Values{"call_minutes": {"3"}, "outcome": {"follow_up"}}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			tc.form.Set(tc.field, tc.text)
			tc.form.Set("version", old)
			res, body := d.b.post(t, path+"/"+tc.action, tc.form)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("a %s on a stale form: %d, want 409", tc.action, res.StatusCode)
			}
			for _, want := range []string{html.EscapeString(stale), html.EscapeString(tc.text),
				`name="version" value="` + strconv.Itoa(now.Version) + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the answer lacks %q", want)
				}
			}
		})
	}
	if n := len(d.entriesOf(t, c.ID, support.EntryReply)); n != 0 {
		t.Errorf("%d replies on the case after a stale form", n)
	}
	if n := len(d.entriesOf(t, c.ID, support.EntryNote)) + len(d.entriesOf(t, c.ID, support.EntryCall)); n != 1 {
		t.Errorf("%d notes and calls, want the colleague's note alone", n)
	}
	if n := d.outboxTo(t, "gammel@example.dk"); n != 0 {
		t.Errorf("%d mails after a stale reply", n)
	}

	// The agent's own note on the current version, then another text on the old one.
	cur := d.get(t, c.ID).Version
	if res, _ := d.b.post(t, path+"/note", url.Values{"note_body": {"Første note."}, "version": {strconv.Itoa(cur)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a note: %d", res.StatusCode)
	}
	res, body := d.b.post(t, path+"/note", url.Values{"note_body": {"Anden note."}, "version": {strconv.Itoa(cur)}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Anden note.") {
		t.Errorf("another text on the old version: %d, want 409 with the text", res.StatusCode)
	}
}
