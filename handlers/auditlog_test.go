package handlers_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/session"
)

// TestAuditLogPageListsAndPages reads the audit log as an agent: newest first, 50 a page with a
// link to the older ones, filtered by subject; the page offers no way to change an entry.
func TestAuditLogPageListsAndPages(t *testing.T) {
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
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: u.ID, Roles: u.Roles, Level: "high",
		AuthenticatedAt: time.Now(), Name: u.Name})
	get := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		return string(b)
	}
	first := get("/medarbejder/revision")
	if n := strings.Count(first, `data-testid="auditlog-row"`); n != 50 {
		t.Errorf("first page has %d rows, want 50", n)
	}
	if !strings.Contains(first, "n: 54") || strings.Contains(first, "n: 4,") {
		t.Error("first page is not the newest 50")
	}
	_, after, ok := strings.Cut(first, `data-testid="auditlog-older" href="`)
	if !ok {
		if _, after, ok = strings.Cut(first, `href="/medarbejder/revision?foer=`); ok {
			after = "/medarbejder/revision?foer=" + after
		}
	}
	if !ok {
		t.Fatal("no link to older entries")
	}
	older := strings.ReplaceAll(after[:strings.IndexByte(after, '"')], "&amp;", "&")
	second := get(older)
	// The five oldest look-ups and the account's own creation.
	if n := strings.Count(second, `data-testid="auditlog-row"`); n != 6 {
		t.Errorf("second page has %d rows, want 6", n)
	}
	filtered := get("/medarbejder/revision?emne=mitid:1")
	if n := strings.Count(filtered, `data-testid="auditlog-row"`); n != 27 {
		t.Errorf("subject filter shows %d rows, want 27", n)
	}
	if strings.Contains(first, `method="post"`) && strings.Count(first, `method="post"`) > strings.Count(first, `action="/log-ud"`) {
		t.Error("the audit log page has a form that changes something")
	}
	res, err := http.Get(env.URL + "/medarbejder/revision?foer=x")
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", res.StatusCode)
		}
	}
}
