package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/identity"
	"mitidportal/mail"
	"mitidportal/session"
)

// subsFixture is a portal with two packs, an approved organisation with an admin and a member,
// and a second organisation with its own admin.
type subsFixture struct {
	env                  *apptest.Env
	packA, packB         campaign.Pack
	org, other           int64
	admin, member, stray identity.MitID
}

func newSubsFixture(t *testing.T) *subsFixture {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	fx := &subsFixture{env: env, admin: env.NewCitizen(t), member: env.NewCitizen(t), stray: env.NewCitizen(t)}
	var err error
	for i, p := range []*campaign.Pack{&fx.packA, &fx.packB} {
		*p, err = env.App.Packs.CreatePack(ctx, 1, campaign.NewPack{Slug: fmt.Sprintf("pakke-%d", i+1),
			Audience: campaign.AudiencePrivate, TitleDA: fmt.Sprintf("Pakke %d", i+1), TitleEN: fmt.Sprintf("Pack %d", i+1)})
		if err != nil {
			t.Fatal(err)
		}
	}
	fx.org = subsOrg(t, env, "11111111", fx.admin.ID, "da")
	fx.other = subsOrg(t, env, "22222222", fx.stray.ID, "da")
	if _, err := env.App.Pool.Exec(ctx, `INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
		VALUES ($1, $2, 'member', 'medlem@example.dk', 'en', now())`, fx.org, fx.member.ID); err != nil {
		t.Fatal(err)
	}
	return fx
}

// subsOrg inserts an approved organisation with admin as its admin.
func subsOrg(t *testing.T, env *apptest.Env, cvr string, admin int64, lang string) int64 {
	t.Helper()
	var id int64
	err := env.App.Pool.QueryRow(context.Background(), `WITH o AS (
		INSERT INTO organisation (cvr, name, kind, status, contact_name, contact_email, lang, applied_at, decided_at)
		VALUES ($1, 'Bibliotek '||$1, 'library', 'approved', 'K', 'k@example.dk', 'da', now(), now()) RETURNING id)
		INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
		SELECT id, $2, 'admin', 'admin'||$1||'@example.dk', $3, now() FROM o RETURNING organisation_id`, cvr, admin, lang).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// orgSession is a citizen's session with the organisation roles a login gives.
func orgSession(t *testing.T, env *apptest.Env, m identity.MitID, roles ...string) *browser {
	t.Helper()
	return newBrowser(t, env, env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID,
		Roles: append([]string{"citizen"}, roles...), Level: "substantial", AuthenticatedAt: time.Now()}), apptest.CSRFToken)
}

func (fx *subsFixture) subscribed(t *testing.T, org int64) string {
	t.Helper()
	var s string
	if err := fx.env.App.Pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(p.slug, ',' ORDER BY p.slug), '')
		FROM pack_subscription s JOIN pack p ON p.id = s.pack_id WHERE s.organisation_id = $1`, org).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSubscriptionsPage: an organisation's admin ticks packs; the change is audited; admins of
// other organisations and forged values change nothing.
func TestSubscriptionsPage(t *testing.T) {
	t.Parallel()
	fx := newSubsFixture(t)
	path := "/organisationer/" + strconv.FormatInt(fx.org, 10) + "/abonnementer"
	admin := orgSession(t, fx.env, fx.admin, "org_admin")
	body := admin.page(t, path)
	if !strings.Contains(body, `name="pakke" value="`+strconv.FormatInt(fx.packA.ID, 10)+`"`) {
		t.Fatalf("no checkbox for pack A:\n%.2000s", body)
	}
	packA := strconv.FormatInt(fx.packA.ID, 10)
	for _, tc := range []struct {
		name   string
		as     *browser
		path   string
		fields url.Values
		status int
		want   string
	}{
		{"another organisation's admin", orgSession(t, fx.env, fx.stray, "org_admin"), path, url.Values{"pakke": {packA}}, http.StatusForbidden, ""},
		{"a forged value", admin, path, url.Values{"pakke": {"abc"}}, http.StatusBadRequest, ""},
		{"a negative id", admin, path, url.Values{"pakke": {"-1"}}, http.StatusBadRequest, ""},
		{"an organisation that does not exist", admin, "/organisationer/999999/abonnementer", url.Values{"pakke": {packA}}, http.StatusNotFound, ""},
		{"not a number", admin, "/organisationer/x/abonnementer", url.Values{"pakke": {packA}}, http.StatusNotFound, ""},
		{"the admin", admin, path, url.Values{"pakke": {packA}}, http.StatusSeeOther, "pakke-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.as.page(t, path)
			res := tc.as.form(t, tc.path, tc.fields)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := fx.subscribed(t, fx.org); got != tc.want {
				t.Errorf("subscribed %q, want %q", got, tc.want)
			}
		})
	}
	var audited int
	if err := fx.env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = 'org_subscriptions_changed' AND actor = $1 AND subject = $2`,
		"mitid:"+strconv.FormatInt(fx.admin.ID, 10), "organisation:"+strconv.FormatInt(fx.org, 10)).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit entries, want 1", audited)
	}
	if body := admin.page(t, path+"?gemt=1"); !strings.Contains(body, `data-testid="subs-saved"`) ||
		!strings.Contains(body, `value="`+packA+`" aria-describedby="pakke-`+packA+`-hint" data-testid="subs-pack-`+packA+`" checked`) {
		t.Errorf("the saved page does not show the ticked pack:\n%.3000s", body)
	}
}

// TestNoticeMailAndOneClickUnsubscribe: a new item of a subscribed pack is mailed to each
// member in their language with RFC 8058's headers; the link's GET changes nothing, its
// one-click POST (no cookie, no CSRF token) unsubscribes.
func TestNoticeMailAndOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	fx := newSubsFixture(t)
	ctx := context.Background()
	if err := fx.env.App.Orgs.Subscribe(ctx, fx.org, fx.admin.ID, []int64{fx.packA.ID}); err != nil {
		t.Fatal(err)
	}
	it, err := fx.env.App.Packs.CreateItem(ctx, 1, campaign.NewItem{PackID: fx.packA.ID, Kind: campaign.ItemFlyer,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Folder om MitID", Visibility: campaign.VisibleMembers},
		campaign.Upload{Filename: "folder.pdf", Body: strings.NewReader("%PDF-1.4 folder")})
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.env.App.Packs.Publish(ctx, 1, it.ID, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := fx.env.App.SendPackNotices(ctx); err != nil || n != 2 {
		t.Fatalf("SendPackNotices: %d %v", n, err)
	}
	mails, err := mail.Recent(ctx, fx.env.App.Pool, "medlem@example.dk", 10)
	if err != nil || len(mails) != 1 {
		t.Fatalf("member's mails: %d %v", len(mails), err)
	}
	m := mails[0]
	if !strings.Contains(m.Subject, "New material in Pack 1") || !strings.Contains(m.Text, fx.env.URL+"/kommunikation/pakke-1") {
		t.Errorf("the member's mail is not in English with the pack's link: %q\n%s", m.Subject, m.Text)
	}
	if !strings.HasPrefix(m.ListUnsubscribe, fx.env.URL+"/abonnement/afmeld/") || !strings.Contains(m.Text, m.ListUnsubscribe) {
		t.Fatalf("unsubscribe URL %q", m.ListUnsubscribe)
	}
	if admins, _ := mail.Recent(ctx, fx.env.App.Pool, "admin11111111@example.dk", 10); len(admins) != 1 || !strings.Contains(admins[0].Subject, "Nyt materiale") {
		t.Errorf("the admin's mail is not in Danish: %+v", admins)
	}

	unsubscribed := func() int {
		var n int
		if err := fx.env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM pack_unsubscription WHERE mitid_id = $1 AND pack_id = $2`,
			fx.member.ID, fx.packA.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	res, err := http.Get(m.ListUnsubscribe)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-testid="unsub-confirm"`) || unsubscribed() != 0 {
		t.Fatalf("GET: %d, unsubscribed %d", res.StatusCode, unsubscribed())
	}
	for _, bad := range []string{fx.env.URL + "/abonnement/afmeld/AAAA", m.ListUnsubscribe + "x"} {
		res, err := http.Post(bad, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", bad, res.StatusCode)
		}
	}
	res, err = http.Post(m.ListUnsubscribe, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || unsubscribed() != 1 {
		t.Errorf("one-click POST: %d, unsubscribed %d", res.StatusCode, unsubscribed())
	}
}
