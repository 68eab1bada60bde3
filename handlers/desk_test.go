package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/locales"
	"mitidportal/staff"
	"mitidportal/support"
)

// agentDesk is a portal with an agent logged in over HTTP.
type agentDesk struct {
	env   *apptest.Env
	agent staff.User
	b     *browser
	tr    *locales.Translator
}

func newAgentDesk(t *testing.T) agentDesk {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	agent, _, err := env.App.Server.Staff.Create(context.Background(), "alma@styrelsen.dk", "Alma Agent", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return agentDesk{env: env, agent: agent, b: staffSession(t, env, agent), tr: cat.For("da")}
}

// open opens a case directly in the domain.
func (d agentDesk) open(t *testing.T, n support.NewCase) support.Case {
	t.Helper()
	if n.Channel == "" {
		n.Channel = support.ChannelWeb
	}
	if n.Category == "" {
		n.Category = support.CategoryLogin
	}
	if n.Name == "" && n.MitIDID == 0 {
		n.Name, n.Email = "Bo Borger", "bo@example.dk"
	}
	c, err := d.env.App.Server.Cases.Open(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// list GETs a queue page, as htmx when hx is set, and returns the status and the references
// of the rows in order.
func (d agentDesk) list(t *testing.T, path string, hx bool) (int, string, []string) {
	t.Helper()
	res, body := d.b.appGet(t, path, hx)
	var refs []string
	for _, part := range strings.Split(body, `data-testid="desk-row" data-ref="`)[1:] {
		refs = append(refs, part[:6])
	}
	return res.StatusCode, body, refs
}

// TestDeskQueuesOverHTTP: the queues list, filter and page the cases, htmx gets the list alone,
// and the search finds a case by reference, Danish word and CPR number, writing the CPR look-up
// to the audit log without the number.
func TestDeskQueuesOverHTTP(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	citizen := d.env.NewCitizen(t)
	mine := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Min kodeviser virker ikke",
		MitIDID: citizen.ID, AssigneeID: d.agent.ID})
	post := d.open(t, support.NewCase{System: support.SystemDigitalPost, Subject: "Brev kan ikke åbnes"})

	status, body, refs := d.list(t, "/medarbejder/sager", false)
	if status != http.StatusOK || !slices.Contains(refs, mine.Ref) || !slices.Contains(refs, post.Ref) {
		t.Fatalf("all cases: %d, refs %v", status, refs)
	}
	for _, want := range []string{"<html", d.tr.T("support.queue.mine") + " (1)", d.tr.T("desk.new.link"), "hx-get"} {
		if !strings.Contains(body, html.EscapeString(want)) && !strings.Contains(body, want) {
			t.Errorf("the queues page lacks %q", want)
		}
	}
	for _, tt := range []struct {
		name, path string
		hx         bool
		want, not  string
		status     int
	}{
		{"mine", "/medarbejder/sager?ko=mine", false, mine.Ref, post.Ref, http.StatusOK},
		{"unassigned", "/medarbejder/sager?ko=unassigned", false, post.Ref, mine.Ref, http.StatusOK},
		{"system filter", "/medarbejder/sager?system=digital_post", false, post.Ref, mine.Ref, http.StatusOK},
		{"system queue by htmx", "/medarbejder/sager?ko=digital_post", true, post.Ref, mine.Ref, http.StatusOK},
		{"status filter", "/medarbejder/sager?status=new&system=mitid", true, mine.Ref, post.Ref, http.StatusOK},
		{"search by another inflection", "/medarbejder/sager?q=kodeviseren", true, mine.Ref, post.Ref, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body, refs := d.list(t, tt.path, tt.hx)
			if status != tt.status || !slices.Contains(refs, tt.want) || slices.Contains(refs, tt.not) {
				t.Errorf("%d, refs %v; want %d with %s and without %s", status, refs, tt.status, tt.want, tt.not)
			}
			if isPage := strings.Contains(body, "<html"); isPage == tt.hx {
				t.Errorf("htmx %v, whole page %v", tt.hx, isPage)
			}
		})
	}
	if status, _, _ := d.list(t, "/medarbejder/sager?ko=nonsense", false); status != http.StatusBadRequest {
		t.Errorf("unknown queue: %d, want 400", status)
	}

	// A CPR search is a look-up: a GET shows no hits, only the button that posts it, and
	// writes nothing; the POST finds the citizen's case and is audited under the MitID, never
	// with the number.
	cprQuery := url.QueryEscape(string(citizen.CPR))
	_, body, refs = d.list(t, "/medarbejder/sager?q="+cprQuery, false)
	if len(refs) != 0 || !strings.Contains(body, `data-testid="desk-lookup"`) {
		t.Errorf("CPR search by GET: refs %v, lookup button %v", refs, strings.Contains(body, `data-testid="desk-lookup"`))
	}
	if recs, _ := d.env.App.Server.Audit.List(ctx, audit.Filter{Actor: audit.Staff(d.agent.ID)}); len(recs) != 0 {
		t.Errorf("a GET search wrote %d audit entries", len(recs))
	}
	res, body := d.b.post(t, "/medarbejder/sager/soeg", url.Values{"q": {string(citizen.CPR)}})
	refs = nil
	for _, part := range strings.Split(body, `data-testid="desk-row" data-ref="`)[1:] {
		refs = append(refs, part[:6])
	}
	if res.StatusCode != http.StatusOK || !slices.Contains(refs, mine.Ref) || slices.Contains(refs, post.Ref) {
		t.Errorf("CPR search by POST: %d, refs %v", res.StatusCode, refs)
	}
	recs, err := d.env.App.Server.Audit.List(ctx, audit.Filter{Actor: audit.Staff(d.agent.ID)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if strings.Contains(fmt.Sprint(r.Detail), string(citizen.CPR)) || strings.Contains(r.Subject, string(citizen.CPR)) {
			t.Errorf("audit entry holds the CPR number: %+v", r)
		}
		found = found || r.Action == audit.ActionCitizenLookup && r.Subject == audit.MitID(citizen.ID)
	}
	if !found {
		t.Errorf("no citizen look-up of mitid %d in the audit log: %+v", citizen.ID, recs)
	}

	// Keyset pages: 30 more cases make two pages; the second follows the first without overlap.
	for i := range 30 {
		d.open(t, support.NewCase{System: support.SystemVirk, Subject: "Sag nummer " + strconv.Itoa(i)})
	}
	_, body, first := d.list(t, "/medarbejder/sager?system=virk", false)
	i := strings.Index(body, `data-testid="desk-next"`)
	if len(first) != 25 || i < 0 {
		t.Fatalf("first page: %d rows, next link %v", len(first), i >= 0)
	}
	href := html.UnescapeString(body[strings.LastIndex(body[:i], `href="`)+6:])
	href = href[:strings.Index(href, `"`)]
	_, _, second := d.list(t, href, true)
	if len(second) != 5 {
		t.Errorf("second page %s: %d rows, want 5", href, len(second))
	}
	for _, r := range second {
		if slices.Contains(first, r) {
			t.Errorf("%s on both pages", r)
		}
	}
}

// TestDeskCaseOverHTTP: a case from a call, a reply that lands in the outbox threaded and
// recorded, a note, a status change, and a change made on a stale version refused with what was
// typed kept.
func TestDeskCaseOverHTTP(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	cases := d.env.App.Server.Cases

	// New case from a call: the required fields, then identity theft, which is urgent.
	res, body := d.b.post(t, "/medarbejder/sager/ny", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, d.tr.T(support.ErrSubjectRequired.MsgID)) {
		t.Errorf("empty new case: %d", res.StatusCode)
	}
	res, body = d.b.post(t, "/medarbejder/sager/ny", url.Values{"system": {"mitid"}, "category": {"login"},
		"subject": {"Kan ikke logge på"}, "name": {"Bo"}, "phone": {"nul"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, d.tr.T(support.ErrPhoneInvalid.MsgID)) ||
		!strings.Contains(body, `value="Kan ikke logge på"`) {
		t.Errorf("bad phone: %d, or the subject was not kept", res.StatusCode)
	}
	res, _ = d.b.post(t, "/medarbejder/sager/ny", url.Values{"system": {"mitid"}, "category": {"identity_theft"},
		"subject": {"Nogen har brugt mit MitID"}, "name": {"Bo Borger"}, "phone": {"12 34 56 78"},
		"email": {"bo@example.dk"}, "lang": {"en"}, "message": {"Jeg har fået en kvittering, jeg ikke kender."}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/medarbejder/sager/") {
		t.Fatalf("new case: %d to %q", res.StatusCode, loc)
	}
	ref := strings.TrimPrefix(strings.Split(loc, "?")[0], "/medarbejder/sager/")
	c, err := cases.ByRef(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.Priority != support.PriorityUrgent || c.Channel != support.ChannelPhone || c.AssigneeID != d.agent.ID || c.Lang != "en" {
		t.Errorf("new case: %+v", c)
	}
	path := "/medarbejder/sager/" + ref
	page := d.b.page(t, loc)
	if !strings.Contains(page, d.tr.T("desk.notice.created")) || !strings.Contains(page, "Nogen har brugt mit MitID") {
		t.Error("the case page lacks the notice or the subject")
	}

	// A canned reply fills the text, in the case's language (English).
	received, err := d.env.App.Cases.Canned().Get(ctx, support.CannedEditor{StaffID: d.agent.ID}, 1) // seeded by migration 00024
	if err != nil {
		t.Fatal(err)
	}
	want := support.FillCanned(received.BodyEN, support.CannedValues{Name: c.Name, Ref: c.Ref, Phone: d.env.App.Server.Config.SupportPhone})
	if page := d.b.page(t, path+"?svar=1"); !strings.Contains(page, html.EscapeString(want)) || !strings.Contains(want, c.Ref) {
		t.Error("the canned reply is not in the reply form")
	}

	// A reply goes out by mail and is on the timeline with the mail's Message-ID; the next
	// reply threads on it. Each form carries the case's version, as the page renders it.
	version := func() string { c, _ := cases.ByRef(ctx, ref); return strconv.Itoa(c.Version) }
	if res, body := d.b.post(t, path+"/svar", url.Values{"reply_body": {" "}, "version": {version()}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, d.tr.T(support.ErrBodyRequired.MsgID)) {
		t.Errorf("empty reply: %d", res.StatusCode)
	}
	for i, text := range []string{"Vi har spærret dit MitID.", "Du får et nyt aktiveringsbrev."} {
		if res, _ := d.b.post(t, path+"/svar", url.Values{"reply_body": {text}, "version": {version()}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply %d: %d", i, res.StatusCode)
		}
	}
	rows, err := d.env.App.Pool.Query(ctx, `SELECT to_address, message_id, coalesce(in_reply_to, ''), text_body
		FROM mail_outbox WHERE kind = 'case_reply' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type sent struct{ to, id, inReplyTo, text string }
	var mails []sent
	for rows.Next() {
		var m sent
		if err := rows.Scan(&m.to, &m.id, &m.inReplyTo, &m.text); err != nil {
			t.Fatal(err)
		}
		mails = append(mails, m)
	}
	if len(mails) != 2 || mails[0].to != "bo@example.dk" || !strings.Contains(mails[0].text, "Vi har spærret") ||
		mails[0].inReplyTo != "" || mails[1].inReplyTo != mails[0].id {
		t.Fatalf("outbox: %+v", mails)
	}
	entries, err := cases.Timeline(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var replies []string
	for _, e := range entries {
		if e.Kind == support.EntryReply {
			replies = append(replies, e.MessageID)
		}
	}
	if len(replies) != 2 || replies[0] != mails[0].id || replies[1] != mails[1].id {
		t.Errorf("reply entries carry %v, the mails %s and %s", replies, mails[0].id, mails[1].id)
	}

	// An internal note is on the timeline, marked internal.
	if res, _ := d.b.post(t, path+"/note", url.Values{"note_body": {"Ringede fra ukendt nummer."}, "version": {version()}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d", res.StatusCode)
	}
	page = d.b.page(t, path)
	if !strings.Contains(page, "Ringede fra ukendt nummer.") || !strings.Contains(page, d.tr.T("desk.case.internal")) {
		t.Error("the note is not on the timeline as internal")
	}

	// A call of 5 minutes.
	if res, _ := d.b.post(t, path+"/opkald", url.Values{"call_minutes": {"5"}, "outcome": {"solved"}, "version": {version()}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("call: %d", res.StatusCode)
	}
	if res, body := d.b.post(t, path+"/opkald", url.Values{"call_start": {"kl 9"}, "outcome": {"solved"}, "version": {version()}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, d.tr.T("desk.err.call_times")) {
		t.Errorf("call with bad times: %d", res.StatusCode)
	}

	// Status: an allowed move, then one on the old version is refused, keeping what was typed.
	c, _ = cases.ByRef(ctx, ref)
	old := strconv.Itoa(c.Version)
	if res, _ := d.b.post(t, path+"/status", url.Values{"status": {"waiting_for_citizen"}, "version": {old}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status: %d", res.StatusCode)
	}
	if c, _ = cases.ByRef(ctx, ref); c.Status != support.StatusWaiting {
		t.Errorf("status is %s", c.Status)
	}
	res, body = d.b.post(t, path+"/tags", url.Values{"tags": {"svindel, opkald"}, "version": {old}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, html.EscapeString(d.tr.T(support.ErrConflict.MsgID))) ||
		!strings.Contains(body, `value="svindel, opkald"`) || !strings.Contains(body, `name="version" value="`+strconv.Itoa(c.Version)+`"`) {
		t.Errorf("stale tags: %d; want 409 with the conflict, the typed tags and the new version", res.StatusCode)
	}
	if res, _ := d.b.post(t, path+"/status", url.Values{"status": {"closed"}, "version": {strconv.Itoa(c.Version)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("waiting to closed: %d, want 422", res.StatusCode)
	}
	if c2, _ := cases.ByRef(ctx, ref); len(c2.Tags) != 0 || c2.Status != support.StatusWaiting {
		t.Errorf("a refused change changed the case: %+v", c2)
	}

	// Release the case; an unknown case is 404.
	if res, _ := d.b.post(t, path+"/tildel", url.Values{"to": {"none"}, "version": {strconv.Itoa(c.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("unassign: %d", res.StatusCode)
	}
	if c, _ = cases.ByRef(ctx, ref); c.AssigneeID != 0 {
		t.Errorf("still assigned to %d", c.AssigneeID)
	}
	if status, _ := d.b.get(t, "/medarbejder/sager/ZZZZZZ"); status != http.StatusNotFound {
		t.Errorf("unknown case: %d", status)
	}
}
