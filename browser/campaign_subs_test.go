package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/mail/mailtest"
	"mitidportal/session"
)

// setSessionCookie puts a session cookie made by env.LoginAs into the tab.
func setSessionCookie(t *testing.T, ctx context.Context, env *apptest.Env, c *http.Cookie) {
	t.Helper()
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value,
		URL: env.URL + "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax}); err != nil {
		t.Fatal(err)
	}
}

// TestSubscriptionNoticeAndStats (issue 10, "Done when"): an organisation's admin subscribes
// to a pack; an editor's new version (campaign.Packs.AddVersion) is mailed by the notice job to
// the member, in the member's language, with RFC 8058's headers, at the test SMTP server; the
// member follows the unsubscribe link and confirms; an editor sees the statistics with a chart
// and downloads the CSV. Every page is checked with axe, in Danish and English.
func TestSubscriptionNoticeAndStats(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.Port})
	ctx := context.Background()
	editor, _, err := env.App.Server.Staff.Create(ctx, "eva@styrelsen.dk", "Eva Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	for i, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			suffix := flowSuffix()
			pk, err := env.App.Packs.CreatePack(ctx, editor.ID, campaign.NewPack{Slug: "privat-" + lang,
				Audience: campaign.AudiencePrivate, TitleDA: "Privatpakken " + lang, TitleEN: "The private pack " + lang})
			if err != nil {
				t.Fatal(err)
			}
			it, err := env.App.Packs.CreateItem(ctx, editor.ID, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
				Audience: campaign.ForCitizens, Lang: lang, Title: "Folder " + suffix, Visibility: campaign.VisibleMembers},
				campaign.Upload{Filename: "folder.pdf", Body: strings.NewReader("%PDF-1.4 v1 " + suffix)})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.Packs.Publish(ctx, editor.ID, it.ID, time.Now().Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			// The release itself was announced before anyone subscribed.
			if _, err := env.App.SendPackNotices(ctx); err != nil {
				t.Fatal(err)
			}
			admin, member := newCitizen(t, env), newCitizen(t, env)
			memberMail := fmt.Sprintf("medlem-%s-%s@example.dk", lang, strings.ToLower(suffix))
			var orgID int64
			err = env.App.Pool.QueryRow(ctx, `WITH o AS (
				INSERT INTO organisation (cvr, name, kind, status, contact_name, contact_email, lang, applied_at, decided_at)
				VALUES ($1, $2, 'library', 'approved', 'K', 'k@example.dk', 'da', now(), now()) RETURNING id),
				a AS (INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
				SELECT id, $3, 'admin', 'admin@example.dk', 'da', now() FROM o)
				INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
				SELECT id, $4, 'member', $5, $6, now() FROM o RETURNING organisation_id`,
				fmt.Sprintf("4444444%d", i), "Bibliotek "+suffix, admin.MitID.ID, member.MitID.ID, memberMail, lang).Scan(&orgID)
			if err != nil {
				t.Fatal(err)
			}

			// The admin subscribes.
			tab := newTab(t)
			problems := pageProblems(t, tab)
			setSessionCookie(t, tab, env, env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: admin.MitID.ID,
				Roles: []string{"citizen", "org_admin"}, Level: "substantial", AuthenticatedAt: time.Now()}))
			subs := "/organisationer/" + strconv.FormatInt(orgID, 10) + "/abonnementer"
			navigate(t, tab, withLang(env.URL+subs, lang))
			wantPath(t, tab, subs)
			checkAxe(t, tab, subs+" ("+lang+")")
			// DKFDS draws the checkbox on its label; the input itself is hidden.
			do(t, tab, chromedp.Click(chromedp.CSS(`label[for="pakke-`+strconv.FormatInt(pk.ID, 10)+`"]`)))
			if !eval[bool](t, tab, `document.querySelector('#pakke-`+strconv.FormatInt(pk.ID, 10)+`').checked`) {
				t.Fatal("the pack's checkbox is not ticked")
			}
			click(t, tab, sel("subs-save"))
			if !has(t, tab, sel("subs-saved")) {
				t.Fatalf("no confirmation: %s", clip(mainText(t, tab), 300))
			}
			checkAxe(t, tab, subs+" saved ("+lang+")")
			reportUnexpected(t, problems(), subs)

			// An editor adds a version; the job mails the member.
			note := "Nyt telefonnummer " + suffix
			if _, err := env.App.Packs.AddVersion(ctx, editor.ID, it.ID, campaign.Upload{Filename: "folder.pdf",
				Body: strings.NewReader("%PDF-1.4 v2 " + suffix)}, note); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.SendPackNotices(ctx); err != nil {
				t.Fatal(err)
			}
			got, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(memberMail) }, 15*time.Second)
			if !ok {
				t.Fatalf("no notice for %s within 15 s; got: %s", memberMail, smtpSrv.Summary())
			}
			wantSubject := map[string]string{"da": "Ny version af", "en": "New version of"}[lang]
			if !strings.Contains(got.Subject, wantSubject) || !strings.Contains(got.Text, note) {
				t.Errorf("the notice is not in %s or lacks the change note: %q\n%s", lang, got.Subject, got.Text)
			}
			if p := got.Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", p)
			}
			link := strings.TrimSuffix(strings.TrimPrefix(got.Header.Get("List-Unsubscribe"), "<"), ">")
			if !strings.HasPrefix(link, env.URL+"/abonnement/afmeld/") {
				t.Fatalf("List-Unsubscribe = %q", got.Header.Get("List-Unsubscribe"))
			}

			// The member follows the link and confirms.
			mtab := newTab(t)
			mproblems := pageProblems(t, mtab)
			navigate(t, mtab, withLang(link, lang))
			checkAxe(t, mtab, "unsubscribe page ("+lang+")")
			click(t, mtab, sel("unsub-confirm"))
			if !has(t, mtab, sel("unsub-done")) {
				t.Fatalf("no confirmation: %s", clip(mainText(t, mtab), 300))
			}
			checkAxe(t, mtab, "unsubscribed ("+lang+")")
			reportUnexpected(t, mproblems(), "/abonnement/afmeld")
			var n int
			if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM pack_unsubscription WHERE mitid_id = $1 AND pack_id = $2`,
				member.MitID.ID, pk.ID).Scan(&n); err != nil || n != 1 {
				t.Errorf("unsubscriptions %d %v", n, err)
			}

			// The editor's statistics: a download today, a chart, its table and the CSV.
			if _, err := env.App.Pool.Exec(ctx, `INSERT INTO pack_download (item_id, organisation_id, day, downloads)
				VALUES ($1, $2, (now() AT TIME ZONE 'Europe/Copenhagen')::date, 3)`, it.ID, orgID); err != nil {
				t.Fatal(err)
			}
			etab := newTab(t)
			desktopWindow(t, etab)
			eproblems := pageProblems(t, etab)
			setSessionCookie(t, etab, env, env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: editor.ID,
				Roles: editor.Roles, Level: "high", Name: editor.Name}))
			navigate(t, etab, withLang(env.URL+"/redaktion/statistik", lang))
			wantPath(t, etab, "/redaktion/statistik")
			if n := eval[int](t, etab, `document.querySelectorAll('svg[role="img"][aria-labelledby]').length`); n != 4 {
				t.Errorf("%d accessible charts, want 4", n)
			}
			row := eval[string](t, etab, `[...document.querySelectorAll('[data-testid="table-chart-downloads-item"] tbody tr')]
				.map(r => r.innerText.replace(/\s+/g, ' ').trim()).find(s => s.includes('`+suffix+`')) || ''`)
			if !strings.HasSuffix(row, " 3") {
				t.Errorf("the item's row in the table is %q", row)
			}
			checkAxe(t, etab, "/redaktion/statistik ("+lang+")")
			csv, err := chromedp.Run(etab, chromedp.Evaluate[string](`(async () => {
				const r = await fetch(document.querySelector('[data-testid="stats-csv"]').href);
				return r.headers.get('content-type') + '\n' + await r.text(); })()`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(csv, "text/csv") || !strings.Contains(csv, "Folder "+suffix) {
				t.Errorf("the CSV: %.500s", csv)
			}
			reportUnexpected(t, eproblems(), "/redaktion/statistik")
		})
	}
}
