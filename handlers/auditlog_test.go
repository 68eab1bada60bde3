package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/staff"
)

// auditReader reads the audit log page as a logged-in member of staff.
type auditReader struct {
	env    *apptest.Env
	cookie *http.Cookie
}

func newAuditReader(t *testing.T, env *apptest.Env, u staff.User) auditReader {
	t.Helper()
	return auditReader{env, env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: u.ID, Roles: u.Roles,
		Level: "high", AuthenticatedAt: time.Now(), Name: u.Name})}
}

// get returns the status and body of path.
func (r auditReader) get(t *testing.T, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.env.URL+path, nil)
	req.AddCookie(r.cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// page returns the body of path, which must answer 200.
func (r auditReader) page(t *testing.T, path string) string {
	t.Helper()
	status, body := r.get(t, path)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", path, status)
	}
	return body
}

// TestAuditLogPageListsAndPages reads the log as an agent (their own actions): newest first, 50
// a page with a link to the older ones that keeps the filters, filtered by subject; the page
// offers no way to change an entry, and a logged-out visit goes to the staff login.
func TestAuditLogPageListsAndPages(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	u, _, err := env.App.Server.Staff.Create(ctx, "revisor@example.dk", "Rie Revisor", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 55 {
		subject := "mitid:" + strconv.Itoa(i%2)
		if err := env.App.Audit.AppendNow(ctx, audit.Entry{Actor: audit.Staff(u.ID), Action: audit.ActionCitizenLookup,
			Subject: subject, Detail: map[string]any{"n": i}}); err != nil {
			t.Fatal(err)
		}
	}
	r := newAuditReader(t, env, u)
	first := r.page(t, "/medarbejder/revision")
	if n := strings.Count(first, `data-testid="auditlog-row"`); n != 50 {
		t.Errorf("first page has %d rows, want 50", n)
	}
	if !strings.Contains(first, "n: 54") || strings.Contains(first, "n: 4<") {
		t.Error("first page is not the newest 50")
	}
	older := hrefOf(t, first, "auditlog-older")
	// The five oldest look-ups; the account's creation is the system's action, not the agent's.
	if n := strings.Count(r.page(t, older), `data-testid="auditlog-row"`); n != 5 {
		t.Errorf("second page has %d rows, want 5", n)
	}
	filtered := r.page(t, "/medarbejder/revision?emne=mitid:1")
	if n := strings.Count(filtered, `data-testid="auditlog-row"`); n != 27 {
		t.Errorf("subject filter shows %d rows, want 27", n)
	}
	// The older link keeps the filters.
	f1 := r.page(t, "/medarbejder/revision?handling=citizen_lookup&fra=01-01-2000")
	if o := hrefOf(t, f1, "auditlog-older"); !strings.Contains(o, "handling=citizen_lookup") || !strings.Contains(o, "fra=01-01-2000") {
		t.Errorf("the older link drops the filters: %s", o)
	}
	if strings.Count(first, `method="post"`) > strings.Count(first, `action="/log-ud"`) {
		t.Error("the audit log page has a form that changes something")
	}
	res, err := noRedirect.Get(env.URL + "/medarbejder/revision?foer=x")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/medarbejder/log-ind?next=") {
		t.Errorf("anonymous: %d %q, want 303 to the staff login", res.StatusCode, loc)
	}
}

// hrefOf returns the href of the link with data-testid id, unescaped.
func hrefOf(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="`+id+`"`)
	if i < 0 {
		t.Fatalf("no link %s", id)
	}
	start := strings.LastIndex(body[:i], `href="`)
	if start < 0 {
		t.Fatalf("link %s without href", id)
	}
	href := body[start+len(`href="`):]
	return strings.ReplaceAll(href[:strings.IndexByte(href, '"')], "&amp;", "&")
}

// TestAuditLogAgentSeesOnlyOwnActions: an agent reads the entries of their own actions and no
// colleague's, whatever filter or URL parameter they send; supervisors, auditors and admins
// read every entry. Entries name staff by name and address, citizens by username (never CPR),
// and the portal as the system.
func TestAuditLogAgentSeesOnlyOwnActions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	st := env.App.Server.Staff
	mk := func(email, name string, roles ...string) staff.User {
		u, _, err := st.Create(ctx, email, name, roles)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	agent := mk("ane@styrelsen.dk", "Ane Agent", "agent")
	colleague := mk("kim@styrelsen.dk", "Kim Kollega", "agent")
	citizen := env.NewCitizen(t)
	for _, e := range []audit.Entry{
		{Actor: audit.Staff(agent.ID), Action: audit.ActionCitizenLookup, Subject: audit.MitID(citizen.ID), Detail: map[string]any{"marker": "own-1"}},
		{Actor: audit.Staff(colleague.ID), Action: audit.ActionCitizenLookup, Subject: audit.MitID(citizen.ID), Detail: map[string]any{"marker": "colleague-1"}},
		{Actor: audit.Staff(colleague.ID), Action: audit.ActionBlockMitID, Subject: audit.Staff(agent.ID), Detail: map[string]any{"marker": "colleague-2"}},
		{Actor: audit.Staff(agent.ID), Action: audit.ActionVerifyCaller, Subject: "person:" + string(citizen.CPR), Detail: map[string]any{"marker": "own-2"}},
	} {
		if err := env.App.Audit.AppendNow(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// The list never shows a CPR number; the filter field shows what was typed into it.
	cprShown := func(body string) bool {
		_, list, _ := strings.Cut(body, `data-testid="auditlog"`)
		return strings.Contains(list, string(citizen.CPR)) || strings.Contains(list, citizen.CPR.String())
	}

	ag := newAuditReader(t, env, agent)
	for _, path := range []string{
		"/medarbejder/revision",
		"/medarbejder/revision?aktoer=staff:" + strconv.FormatInt(colleague.ID, 10),
		"/medarbejder/revision?aktoer=" + url.QueryEscape(colleague.Email),
		"/medarbejder/revision?aktoer=system",
		"/medarbejder/revision?emne=" + url.QueryEscape(citizen.Username),
		"/medarbejder/revision?emne=" + url.QueryEscape(citizen.CPR.String()),
		"/medarbejder/revision?emne=staff:" + strconv.FormatInt(agent.ID, 10),
		"/medarbejder/revision?handling=block_mitid",
		"/medarbejder/revision?foer=999999999",
		"/medarbejder/revision?fra=01-01-2000&til=31-12-2099",
	} {
		t.Run("agent "+path, func(t *testing.T) {
			body := ag.page(t, path)
			if strings.Contains(body, "colleague-") {
				t.Error("an agent reads a colleague's entry")
			}
			if cprShown(body) {
				t.Error("the page shows the citizen's CPR number")
			}
			if !strings.Contains(body, `data-testid="auditlog-own"`) {
				t.Error("the agent is not told they see their own actions only")
			}
			if strings.Contains(body, `id="aktoer"`) {
				t.Error("the agent is offered the actor filter")
			}
		})
	}
	if body := ag.page(t, "/medarbejder/revision"); !strings.Contains(body, "own-1") || !strings.Contains(body, "own-2") ||
		!strings.Contains(body, "Ane Agent (ane@styrelsen.dk)") || !strings.Contains(body, "MitID "+citizen.Username) {
		t.Error("the agent does not read their own entries by name")
	}

	for _, role := range []string{"supervisor", "auditor", "admin"} {
		t.Run(role, func(t *testing.T) {
			r := newAuditReader(t, env, mk(role+"@styrelsen.dk", "Læser "+role, role))
			body := r.page(t, "/medarbejder/revision")
			for _, m := range []string{"own-1", "own-2", "colleague-1", "colleague-2"} {
				if !strings.Contains(body, m) {
					t.Errorf("a %s does not read entry %s", role, m)
				}
			}
			if !strings.Contains(body, "Kim Kollega (kim@styrelsen.dk)") || !strings.Contains(body, "MitID "+citizen.Username) {
				t.Error("actors and subjects are not shown by name")
			}
			if cprShown(body) {
				t.Error("the page shows the citizen's CPR number")
			}
			// Times are Copenhagen's, to the second.
			recs, err := env.App.Audit.List(ctx, audit.Filter{Actor: audit.Staff(colleague.ID), Limit: 1})
			if err != nil || len(recs) != 1 {
				t.Fatalf("%v %v", recs, err)
			}
			cph, _ := time.LoadLocation("Europe/Copenhagen")
			if at := recs[0].At.In(cph).Format("02.01.2006 15.04.05"); !strings.Contains(body, "<td>"+at+"</td>") {
				t.Errorf("the entry's time is not shown as %s (Europe/Copenhagen)", at)
			}
			if !strings.Contains(body, `id="aktoer"`) || strings.Contains(body, `data-testid="auditlog-own"`) {
				t.Error("the whole log's reader lacks the actor filter")
			}
			for path, want := range map[string][]string{
				"?aktoer=" + url.QueryEscape(colleague.Email):                                 {"colleague-1", "colleague-2"},
				"?aktoer=staff:" + strconv.FormatInt(agent.ID, 10):                            {"own-1", "own-2"},
				"?emne=" + url.QueryEscape(citizen.Username):                                  {"own-1", "colleague-1"},
				"?emne=" + url.QueryEscape(strings.ReplaceAll(citizen.CPR.String(), "-", "")): {"own-1", "colleague-1", "own-2"},
				"?handling=block_mitid":                                                       {"colleague-2"},
				"?aktoer=nobody%40styrelsen.dk":                                               nil,
			} {
				body := r.page(t, "/medarbejder/revision"+path)
				for _, m := range []string{"own-1", "own-2", "colleague-1", "colleague-2"} {
					if got, wanted := strings.Contains(body, m), contains(want, m); got != wanted {
						t.Errorf("%s: entry %s shown %v, want %v", path, m, got, wanted)
					}
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestAuditLogFilterErrors: a filter that cannot be one is the DKFDS error summary with the
// field's message (422), never a 500; the keyset parameter, which only the page's links carry,
// is a 400.
func TestAuditLogFilterErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	u, _, err := env.App.Server.Staff.Create(context.Background(), "lis@styrelsen.dk", "Lis Leder", []string{"supervisor"})
	if err != nil {
		t.Fatal(err)
	}
	r := newAuditReader(t, env, u)
	for _, tt := range []struct {
		name, query, field string
		status             int
	}{
		{"bad from date", "fra=01-13-2026", "fra", http.StatusUnprocessableEntity},
		{"text as date", "til=i+morgen", "til", http.StatusUnprocessableEntity},
		{"year 0", "fra=01-01-0000", "fra", http.StatusUnprocessableEntity},
		{"to before from", "fra=02-03-2026&til=01-03-2026", "til", http.StatusUnprocessableEntity},
		{"unknown action", "handling=drop_table", "handling", http.StatusUnprocessableEntity},
		{"actor that is no staff", "aktoer=Kim", "aktoer", http.StatusUnprocessableEntity},
		{"NUL in subject", "emne=a%00b", "emne", http.StatusUnprocessableEntity},
		{"long subject", "emne=" + strings.Repeat("x", 5000), "emne", http.StatusUnprocessableEntity},
		{"bad keyset", "foer=x", "", http.StatusBadRequest},
		{"negative keyset", "foer=-1", "", http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := r.get(t, "/medarbejder/revision?"+tt.query)
			if status != tt.status {
				t.Fatalf("%d, want %d", status, tt.status)
			}
			if tt.field != "" && (!strings.Contains(body, `data-testid="error-summary"`) ||
				!strings.Contains(body, `href="#`+tt.field+`"`) || !strings.Contains(body, `id="`+tt.field+`-error"`)) {
				t.Errorf("no error summary linking to %s", tt.field)
			}
		})
	}
}

// TestAuditLogNamesACitizenActor: an entry a citizen made with their MitID (an organisation's
// admin changing its subscriptions) names them by username as "the citizen", in both
// languages, not as a member of staff with an empty address ("demo.kodeviser ()").
func TestAuditLogNamesACitizenActor(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	auditor, _, err := env.App.Server.Staff.Create(ctx, "aud@styrelsen.dk", "Ida Revisor", []string{"auditor"})
	if err != nil {
		t.Fatal(err)
	}
	citizen := env.NewCitizen(t)
	if err := env.App.Audit.AppendNow(ctx, audit.Entry{Actor: audit.MitID(citizen.ID), Action: audit.ActionOrgSubscriptions,
		Subject: "organisation:1", Detail: map[string]any{"marker": "by-citizen"}}); err != nil {
		t.Fatal(err)
	}
	r := newAuditReader(t, env, auditor)
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			body := r.page(t, "/medarbejder/revision?lang="+lang)
			want := cat.For(lang).T("deskaudit.actor.citizen_named", map[string]any{"Username": citizen.Username})
			if !strings.Contains(body, "by-citizen") || !strings.Contains(body, want) {
				t.Errorf("the citizen's entry does not name its actor %q", want)
			}
			if strings.Contains(body, citizen.Username+" ()") {
				t.Errorf("the citizen is shown as staff without an address: %q", citizen.Username+" ()")
			}
		})
	}
}
