package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/support"
)

// TestDeskCasePageWithoutJS walks the case page's forms as a browser without JavaScript
// does: each change answers 303 back to the case at the part it changed, a refused one shows
// the error summary in Danish and English; a reply leaves the case waiting for the citizen;
// the case goes to a colleague; a phone case gets an e-mail address and with it a reply.
func TestDeskCasePageWithoutJS(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	colleague, _, err := d.env.App.Server.Staff.Create(ctx, "kurt@styrelsen.dk", "Kurt Kollega", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	c := d.open(t, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID, Subject: "Opkald om kodeviser",
		Name: "Bo Borger", Phone: "12345678", Message: "Ringede om sin kodeviser.", StaffID: d.agent.ID})
	path := "/medarbejder/sager/" + c.Ref
	version := func() string { return strconv.Itoa(d.get(t, c.ID).Version) }

	page := d.b.page(t, path)
	for _, want := range []string{
		d.tr.T("deskcase.entry.agent_summary"), // the agent's own summary, not the citizen's message
		`data-testid="desk-no-email"`,          // no address yet: no reply form
		html.EscapeString(d.tr.T("deskcase.assignee", map[string]any{"Name": "Kurt Kollega", "N": 0})),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page, d.tr.T("support.entry.message")) {
		t.Error("the agent's call summary is labelled as the citizen's message")
	}

	for _, tc := range []struct {
		name   string
		action string
		form   url.Values
		status int
		where  string // the Location's suffix, or the error message on a refusal
		check  func(t *testing.T, c support.Case)
	}{
		{name: "an invalid e-mail address", action: "egenskaber", status: http.StatusUnprocessableEntity,
			form:  url.Values{"priority": {"normal"}, "category": {"login"}, "system": {"mitid"}, "email": {"bo at example"}, "phone": {"12345678"}},
			where: d.tr.T(support.ErrEmailInvalid.MsgID)},
		{name: "a NUL in the e-mail and an unknown priority: both shown", action: "egenskaber", status: http.StatusUnprocessableEntity,
			form:  url.Values{"priority": {"ukendt"}, "category": {"login"}, "system": {"mitid"}, "email": {"bo\x00@example.dk"}, "phone": {"12345678"}},
			where: d.tr.T(support.ErrPriorityInvalid.MsgID)},
		{name: "the phone case gets an e-mail address", action: "egenskaber", status: http.StatusSeeOther,
			form:  url.Values{"priority": {"high"}, "category": {"login"}, "system": {"mitid"}, "email": {"bo@example.dk"}, "phone": {"12345678"}},
			where: "?udfoert=egenskaber#desk-actions",
			check: func(t *testing.T, c support.Case) {
				if c.Email != "bo@example.dk" || c.Priority != support.PriorityHigh {
					t.Errorf("after the properties: %q, %q", c.Email, c.Priority)
				}
			}},
		{name: "a reply leaves the case waiting", action: "svar", status: http.StatusSeeOther,
			form:  url.Values{"reply_body": {"Vi sender en ny kodeviser."}, "reply_status": {"waiting_for_citizen"}},
			where: "?udfoert=svar#desk-timeline",
			check: func(t *testing.T, c support.Case) {
				if c.Status != support.StatusWaiting {
					t.Errorf("after the reply the status is %q", c.Status)
				}
			}},
		{name: "a reply to a status the case may not take", action: "svar", status: http.StatusUnprocessableEntity,
			form: url.Values{"reply_body": {"Igen."}, "reply_status": {"new"}}, where: d.tr.T(support.ErrTransition.MsgID)},
		{name: "an unknown colleague", action: "tildel", status: http.StatusUnprocessableEntity,
			form: url.Values{"to": {"999999"}}, where: d.tr.T(support.ErrAssigneeInvalid.MsgID)},
		{name: "not a number", action: "tildel", status: http.StatusUnprocessableEntity,
			form: url.Values{"to": {"kurt"}}, where: d.tr.T(support.ErrAssigneeInvalid.MsgID)},
		{name: "to a colleague", action: "tildel", status: http.StatusSeeOther,
			form: url.Values{"to": {strconv.FormatInt(colleague.ID, 10)}}, where: "?udfoert=tildelt#desk-actions",
			check: func(t *testing.T, c support.Case) {
				if c.AssigneeID != colleague.ID {
					t.Errorf("assignee %d, want %d", c.AssigneeID, colleague.ID)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("version", version())
			res, body := d.b.post(t, path+"/"+tc.action, tc.form)
			if res.StatusCode != tc.status {
				t.Fatalf("%d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == http.StatusSeeOther {
				if loc := res.Header.Get("Location"); loc != path+tc.where {
					t.Errorf("to %q, want %q", loc, path+tc.where)
				}
			} else if !strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, html.EscapeString(tc.where)) {
				t.Errorf("no error summary with %q", tc.where)
			}
			if tc.check != nil {
				tc.check(t, d.get(t, c.ID))
			}
		})
	}

	// The composer's tabs are links: without JavaScript the page shows the tab asked for.
	page = d.b.page(t, path+"?skriv=note")
	if !strings.Contains(page, `id="desk-panel-note" data-desk-panel="note">`) ||
		!strings.Contains(page, `id="desk-panel-reply" data-desk-panel="reply" hidden`) {
		t.Error("?skriv=note does not show the note tab alone")
	}

	// The timeline: newest first, each change "From: X" with a space, in English too.
	en := d.env.App.Server.Catalog.For("en")
	page = d.b.page(t, path+"?lang=en")
	first := strings.Index(page, `data-testid="desk-entry"`)
	if first < 0 || !strings.Contains(page[first:first+600], en.T("support.entry.assignment")) {
		t.Error("the newest entry (the assignment) is not first")
	}
	if want := en.T("desk.case.from") + ": " + en.T("desk.case.unassigned"); !strings.Contains(page, want) {
		t.Errorf("the assignment does not read %q", want)
	}
	if res, body := d.b.post(t, path+"/egenskaber?lang=en", url.Values{"version": {version()}, "priority": {"x"},
		"category": {"login"}, "system": {"mitid"}, "email": {"bo@example.dk"}, "phone": {"12345678"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, html.EscapeString(en.T(support.ErrPriorityInvalid.MsgID))) {
		t.Errorf("an unknown priority in English: %d", res.StatusCode)
	}
}

// get re-reads a case.
func (d agentDesk) get(t *testing.T, id int64) support.Case {
	t.Helper()
	c, err := d.env.App.Server.Cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
