package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/locales"
	"mitidportal/staff"
	"mitidportal/support"
)

// cannedForm is a valid reply form with the changes in kv.
func cannedForm(kv ...string) url.Values {
	v := url.Values{"title_da": {"Adgangskode nulstillet"}, "body_da": {"Hej {{navn}}\nDin sag {{reference}} er løst."},
		"title_en": {"Password reset"}, "body_en": {"Hello {{name}}\nYour case {{ref}} is resolved."}}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// TestCannedRepliesOverHTTP: a supervisor writes a shared reply (audited), an agent picks it on
// an English case and gets it filled in; agents cannot change shared replies or see another
// agent's own; bad input and a stale version are the form's errors; a retired reply is no
// longer offered but can still be read.
func TestCannedRepliesOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	da, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := da.For("da")
	mk := func(email, name string, roles ...string) staff.User {
		u, _, err := env.App.Server.Staff.Create(ctx, email, name, roles)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	sup := staffSession(t, env, mk("sif@styrelsen.dk", "Sif Supervisor", "supervisor"))
	agentUser := mk("asger@styrelsen.dk", "Asger Agent", "agent")
	agent := staffSession(t, env, agentUser)
	other := staffSession(t, env, mk("olga@styrelsen.dk", "Olga Agent", "agent"))

	// The supervisor writes a shared reply; the change is in the audit log.
	res, body := sup.post(t, "/medarbejder/svar/ny", sup.keyed(t, "/medarbejder/svar/ny", cannedForm("kind", "shared")))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create shared: %d %s", res.StatusCode, body[:min(len(body), 300)])
	}
	replies, err := env.App.Cases.Canned().List(ctx, support.CannedEditor{}, false)
	if err != nil || len(replies) != 7 {
		t.Fatalf("%d shared replies, %v", len(replies), err)
	}
	shared := replies[6]
	sharedPath := "/medarbejder/svar/" + strconv.FormatInt(shared.ID, 10)
	entries, err := env.App.Audit.List(ctx, audit.Filter{Subject: "canned:" + strconv.FormatInt(shared.ID, 10)})
	if err != nil || len(entries) != 1 || entries[0].Action != audit.ActionCannedCreated {
		t.Errorf("audit of the creation: %+v, %v", entries, err)
	}

	// Bad input: each is the form's error at its field, in the error summary, nothing saved.
	bad := []struct {
		name   string
		fields url.Values
		field  string
		msgID  string
	}{
		{"unknown placeholder", cannedForm("body_da", "Hej {{adresse}}"), "body_da", support.ErrCannedPlaceholder.MsgID},
		{"no title", cannedForm("title_en", " "), "title_en", support.ErrCannedTitleRequired.MsgID},
		{"title too long", cannedForm("title_da", strings.Repeat("a", support.MaxCannedTitle+1)), "title_da", support.ErrCannedTitleTooLong.MsgID},
		{"body too long", cannedForm("body_en", strings.Repeat("a", support.MaxCannedBody+1)), "body_en", support.ErrCannedBodyTooLong.MsgID},
		{"no kind", cannedForm(), "kind", "deskcanned.err.kind_required"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res, body := sup.post(t, "/medarbejder/svar/ny", sup.keyed(t, "/medarbejder/svar/ny", tt.fields))
			msg := tr.T(tt.msgID, map[string]any{"Placeholder": "{{adresse}}"})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tt.field+`"`) ||
				!strings.Contains(body, html.EscapeString(msg)) {
				t.Errorf("%d, want 422 with %q at %s", res.StatusCode, msg, tt.field)
			}
		})
	}
	if n, _ := env.App.Cases.Canned().List(ctx, support.CannedEditor{}, true); len(n) != 7 {
		t.Errorf("bad input saved a reply: %d", len(n))
	}

	// Permissions, by role and owner.
	if res, body := agent.post(t, "/medarbejder/svar/ny", agent.keyed(t, "/medarbejder/svar/ny",
		cannedForm("kind", "shared", "title_en", "My own", "title_da", "Mit eget"))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("agent's own reply: %d %s", res.StatusCode, body[:min(len(body), 300)])
	}
	own, err := env.App.Cases.Canned().List(ctx, support.CannedEditor{StaffID: agentUser.ID}, false)
	if err != nil || len(own) != 8 || own[7].Shared() {
		t.Fatalf("an agent's \"shared\" reply must be their own: %+v %v", own, err)
	}
	ownPath := "/medarbejder/svar/" + strconv.FormatInt(own[7].ID, 10)
	v1 := cannedForm("version", "1")
	access := []struct {
		name         string
		b            *browser
		path         string
		see, change  int
		readOnlyPage bool
	}{
		{"agent, shared", agent, sharedPath, http.StatusOK, http.StatusForbidden, true},
		{"agent, own", agent, ownPath, http.StatusOK, http.StatusSeeOther, false},
		{"another agent, someone's own", other, ownPath, http.StatusNotFound, http.StatusNotFound, false},
		{"supervisor, an agent's own", sup, ownPath, http.StatusNotFound, http.StatusNotFound, false},
		{"supervisor, shared", sup, sharedPath, http.StatusOK, http.StatusSeeOther, false},
	}
	for _, tt := range access {
		t.Run(tt.name, func(t *testing.T) {
			status, body := dashGet(t, tt.b, tt.path)
			if status != tt.see {
				t.Fatalf("GET %d, want %d", status, tt.see)
			}
			if status == http.StatusOK && strings.Contains(body, `data-testid="canned-form"`) == tt.readOnlyPage {
				t.Errorf("read-only page %v, want %v", !tt.readOnlyPage, tt.readOnlyPage)
			}
			form := v1
			if tt.path == ownPath {
				form = cannedForm("version", "1", "title_en", "My own", "title_da", "Mit eget")
			}
			if res, _ := tt.b.post(t, tt.path, form); res.StatusCode != tt.change {
				t.Errorf("POST %d, want %d", res.StatusCode, tt.change)
			}
		})
	}

	// Version 1 is gone now: saving from it again is refused and the typed text is kept.
	res, body = sup.post(t, sharedPath, cannedForm("version", "1", "body_da", "Forældet {{navn}}"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(tr.T(support.ErrCannedStale.MsgID))) ||
		!strings.Contains(body, "Forældet") || !strings.Contains(body, `name="version" value="2"`) {
		t.Errorf("stale save: %d %s", res.StatusCode, body[:min(len(body), 300)])
	}

	// The agent picks the shared reply on an English case: filled in English.
	cs, err := env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID,
		Category: support.CategoryLogin, Name: "Ane Hansen", Email: "ane@example.dk", Subject: "Kode", Lang: "en", StaffID: agentUser.ID})
	if err != nil {
		t.Fatal(err)
	}
	casePath := "/medarbejder/sager/" + cs.Ref
	page := agent.page(t, casePath+"?svar="+strconv.FormatInt(shared.ID, 10))
	if want := "Hello Ane Hansen\nYour case " + cs.Ref + " is resolved."; !strings.Contains(page, want) {
		t.Errorf("the filled reply is not in the reply form: want %q", want)
	}
	if !strings.Contains(page, ">Password reset<") {
		t.Error("the picker does not offer the English title")
	}
	if strings.Contains(other.page(t, casePath), ">Password reset<") == false {
		t.Error("another agent is not offered the shared reply")
	}
	if p := other.page(t, casePath+"?svar="+strconv.FormatInt(own[7].ID, 10)); strings.Contains(p, "Your case "+cs.Ref) {
		t.Error("another agent's own reply was filled in")
	}

	// Retired: no longer offered, still readable, audited.
	if res, _ := sup.post(t, sharedPath+"/udfas", url.Values{"version": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retire: %d", res.StatusCode)
	}
	if p := agent.page(t, casePath); strings.Contains(p, ">Password reset<") {
		i := strings.Index(p, ">Password reset<")
		t.Errorf("a retired reply is still offered: %s", p[max(0, i-300):i+50])
	}
	if status, body := dashGet(t, agent, sharedPath); status != http.StatusOK || !strings.Contains(body, `data-testid="canned-retired"`) {
		t.Errorf("the retired reply cannot be read: %d", status)
	}
	entries, _ = env.App.Audit.List(ctx, audit.Filter{Subject: "canned:" + strconv.FormatInt(shared.ID, 10)})
	if len(entries) != 3 || entries[0].Action != audit.ActionCannedRetired || entries[0].Actor == "" {
		t.Errorf("audit of the changes: %+v", entries)
	}
}
