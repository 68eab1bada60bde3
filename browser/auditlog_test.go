package browser_test

import (
	"context"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/audit"
)

// TestAuditLogPagePassesAxe shows the staff audit log with entries, in both languages, and
// checks it with axe.
func TestAuditLogPagePassesAxe(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := newTab(t)
			id := loginAgentInTab(t, ctx, env, "revision-"+lang+"@example.dk", "Rie Revisor")
			if err := env.App.Audit.AppendNow(context.Background(), audit.Entry{Actor: audit.Staff(id),
				Action: audit.ActionCitizenLookup, Subject: "mitid:1", Detail: map[string]any{"via": "card"}}); err != nil {
				t.Fatal(err)
			}
			navigate(t, ctx, withLang(env.URL+"/medarbejder/revision", lang))
			wantPath(t, ctx, "/medarbejder/revision")
			if !has(t, ctx, `[data-testid="auditlog-row"]`) {
				t.Fatalf("no entries shown: %s", clip(mainText(t, ctx), 300))
			}
			checkAxe(t, ctx, "/medarbejder/revision?lang="+lang)
		})
	}
}
