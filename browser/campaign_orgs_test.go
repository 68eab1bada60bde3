package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/mail/mailtest"
)

// Organisations on the web, end to end (issue 10 item 1): an organisation applies on the public
// page, a campaign editor approves it, the contact person's invitation arrives by mail, they log
// in with MitID and accept, invite a member who accepts in a browser context of their own, and
// the admin hands the admin role on after the last-admin rule refused stepping down.

// orgStory is an approved organisation with an admin and a member, each logged in with MitID in
// a tab of their own, and the campaign editor's tab; later tests of the issue build on it.
type orgStory struct {
	OrgID             int64
	OrgPath           string // "/organisationer/{id}"
	Admin, Member     testCitizen
	AdminTab          context.Context
	MemberTab         context.Context
	EditorTab         context.Context
	EditorEmail, Lang string
}

// storyTimeout bounds a tab of the story: longer than tabTimeout, since the tabs live through
// several people's steps (and later tests' steps after those) on a busy machine.
const storyTimeout = 8 * time.Minute

// storyTab is newTab with storyTimeout.
func storyTab(t testing.TB) context.Context {
	t.Helper()
	tabCtx, closeTab := chromedp.NewContext(browserContext(t), chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tabCtx, storyTimeout)
	t.Cleanup(func() {
		cancel()
		closeTab()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// cvrSeq numbers the organisations of this test binary, so their CVR numbers never clash.
var cvrSeq atomic.Int64

// nextCVR is a CVR number that passes the modulus-11 check, new for each call.
func nextCVR() string {
	n := cvrSeq.Add(1)
	w := [8]int{2, 7, 6, 5, 4, 3, 2, 1}
	for i := 20000000 + int(n)*11; ; i++ {
		s := strconv.Itoa(i)
		sum := 0
		for j := range 8 {
			sum += int(s[j]-'0') * w[j]
		}
		if sum%11 == 0 {
			return s
		}
	}
}

var invitationURL = regexp.MustCompile(`https?://\S+?/organisationer/invitation/[A-Za-z0-9_-]+`)

// waitInvitation waits for the invitation mail to address and returns its link.
func waitInvitation(t testing.TB, smtpSrv *mailtest.Server, address string) string {
	t.Helper()
	m, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(address) && invitationURL.MatchString(m.Text) }, 20*time.Second)
	if !ok {
		t.Fatalf("no invitation to %s within 20 s; got: %s", address, smtpSrv.Summary())
	}
	return invitationURL.FindString(m.Text)
}

// logInOnThisPage logs citizen c in from the login page the tab shows (which carries the way
// back), with password and kodeviser.
func logInOnThisPage(t testing.TB, ctx context.Context, env *apptest.Env, c testCitizen) {
	t.Helper()
	wantPath(t, ctx, "/log-ind")
	fill(t, ctx, "#username", c.MitID.Username)
	click(t, ctx, `[data-testid="login-submit"]`)
	wantPath(t, ctx, "/log-ind/metode")
	click(t, ctx, `[data-testid="method-code"]`)
	fill(t, ctx, "#password", c.Password)
	fill(t, ctx, "#code", c.code(t, env))
	click(t, ctx, `[data-testid="code-submit"]`)
}

// acceptInvitation opens the mailed link in the tab (logged out), logs citizen c in with MitID
// from it and accepts; it ends on the organisation's page, whose path it returns.
func acceptInvitation(t testing.TB, ctx context.Context, env *apptest.Env, link string, c testCitizen, lang, who string) string {
	t.Helper()
	invPath := strings.TrimPrefix(link, env.URL)
	navigate(t, ctx, withLang(link, lang))
	wantPath(t, ctx, invPath)
	checkAxe(t, ctx, "/organisationer/invitation/{token} logged out ("+who+", "+lang+")")
	click(t, ctx, sel("invitation-login"))
	checkAxe(t, ctx, "/log-ind?next=/organisationer/invitation/{token} ("+who+", "+lang+")")
	logInOnThisPage(t, ctx, env, c)
	wantPath(t, ctx, invPath)
	if !has(t, ctx, sel("invitation-accept")) {
		t.Fatalf("no accept button after the login; the page says: %s", clip(mainText(t, ctx), 300))
	}
	checkAxe(t, ctx, "/organisationer/invitation/{token} logged in ("+who+", "+lang+")")
	click(t, ctx, sel("invitation-accept"))
	path := currentPath(t, ctx)
	if !regexp.MustCompile(`^/organisationer/[0-9]+$`).MatchString(path) || !has(t, ctx, sel("notice")) {
		t.Fatalf("accepting led to %s; the page says: %s", path, clip(mainText(t, ctx), 300))
	}
	checkAxe(t, ctx, "/organisationer/{id} after joining ("+who+", "+lang+")")
	// The link works once.
	navigate(t, ctx, withLang(link, lang))
	if !has(t, ctx, sel("invitation-invalid")) {
		t.Errorf("a used link still offers the invitation: %s", clip(mainText(t, ctx), 300))
	}
	checkAxe(t, ctx, "/organisationer/invitation/{token} used ("+who+", "+lang+")")
	navigate(t, ctx, withLang(env.URL+path, lang))
	return path
}

// orgProblems fails the test for each page problem except the refused forms' answers the flow
// asks for: 422 of the application, the enrolment and the decision, 409 of the last admin.
func orgProblems(t testing.TB, ps []pageProblem) {
	t.Helper()
	for _, p := range ps {
		if p.Kind == "network" && (strings.Contains(p.Text, "status of 422") || strings.Contains(p.Text, "status of 409") ||
			strings.Contains(p.Text, "status of 404")) &&
			(strings.Contains(p.URL, "/organisationer") || strings.Contains(p.URL, "/medarbejder/tilmeld")) {
			continue
		}
		t.Errorf("the pages reported: %s", p)
	}
}

// approvedOrgWithMember walks an organisation's way in through the pages in lang: it applies
// (once with an empty form), a new campaign editor enrols with a virtual security key and
// approves it, the contact person (a new citizen) accepts the mailed invitation as admin after a
// MitID login, and invites a member (another new citizen), who accepts in a browser context of
// their own. Every page is checked with axe. The portal of env must send its mail to smtpSrv.
// Applications are limited per client address (campaign.ApplyLimit an hour), so one env takes
// at most that many of these.
func approvedOrgWithMember(t testing.TB, env *apptest.Env, smtpSrv *mailtest.Server, lang string) orgStory {
	t.Helper()
	s := orgStory{Admin: newCitizen(t, env), Member: newCitizen(t, env), Lang: lang}
	n := strconv.FormatInt(cvrSeq.Load(), 10)
	orgName := "Læseforeningen " + lang + " " + flowSuffix()

	// The contact person applies, in a browser of their own.
	s.AdminTab = storyTab(t)
	a := s.AdminTab
	problemsA := pageProblems(t, a)
	navigate(t, a, withLang(env.URL+"/organisationer/ansoeg", lang))
	checkAxe(t, a, "/organisationer/ansoeg ("+lang+")")
	click(t, a, sel("org-apply-submit"))
	wantErrorSummary(t, a, "an empty application")
	checkAxe(t, a, "/organisationer/ansoeg with errors ("+lang+")")
	cvr := nextCVR()
	fill(t, a, "#cvr", "DK "+cvr[:2]+" "+cvr[2:4]+" "+cvr[4:6]+" "+cvr[6:])
	fill(t, a, "#name", orgName)
	chooseFirst(t, a, `input[name="kind"][value="library"]`)
	fill(t, a, "#contact_name", s.Admin.Person.GivenName+" "+s.Admin.Person.FamilyName)
	fill(t, a, "#email", s.Admin.Person.Email)
	click(t, a, sel("org-apply-submit"))
	if !has(t, a, sel("org-applied")) {
		t.Fatalf("no receipt after applying; the page says: %s", clip(mainText(t, a), 300))
	}
	checkAxe(t, a, "/organisationer/ansoeg receipt ("+lang+")")

	// A campaign editor enrols with a security key and approves the application.
	s.EditorEmail = "redaktoer-" + lang + "-" + n + "-" + flowSuffix() + "@styrelsen.dk"
	_, token, err := env.App.Server.Staff.Create(context.Background(), s.EditorEmail, "Rie Redaktør "+lang, []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	s.EditorTab = storyTab(t)
	e := s.EditorTab
	desktopWindow(t, e)
	problemsE := pageProblems(t, e)
	addSecurityKey(t, e)
	enrolStaffInBrowser(t, e, env.URL+"/medarbejder/tilmeld/"+token, lang, "campaign editor")
	click(t, e, sel("staff-entry-orgs"))
	wantPath(t, e, "/redaktion/organisationer")
	checkAxe(t, e, "/redaktion/organisationer ("+lang+")")
	click(t, e, `[data-testid="org-pending"] a[data-testid="org-link"]`)
	if got := text(t, e, sel("org-heading")); got != orgName {
		t.Fatalf("the editor opened %q, want %q", got, orgName)
	}
	editorPath := currentPath(t, e)
	checkAxe(t, e, editorPath+" pending ("+lang+")")
	click(t, e, sel("org-decide-submit"))
	wantErrorSummary(t, e, "a decision without a choice")
	checkAxe(t, e, editorPath+" with errors ("+lang+")")
	chooseFirst(t, e, `#decision`)
	fill(t, e, "#decision_note", "Godkendt i browsertesten")
	click(t, e, sel("org-decide-submit"))
	wantPath(t, e, editorPath)
	if !has(t, e, sel("notice")) || has(t, e, sel("org-decide-form")) {
		t.Errorf("after approving, the page says: %s", clip(mainText(t, e), 300))
	}
	checkAxe(t, e, editorPath+" approved ("+lang+")")

	// The contact person's invitation arrives; they log in with MitID and accept as admin.
	link := waitInvitation(t, smtpSrv, s.Admin.Person.Email)
	s.OrgPath = acceptInvitation(t, a, env, link, s.Admin, lang, "admin")
	s.OrgID, err = strconv.ParseInt(strings.TrimPrefix(s.OrgPath, "/organisationer/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !has(t, a, sel("org-invite-form")) {
		t.Fatalf("the admin has no invitation form: %s", clip(mainText(t, a), 300))
	}

	// The admin invites a member (an empty address first), who accepts in a browser context of
	// their own.
	click(t, a, sel("org-invite-submit"))
	wantErrorSummary(t, a, "an invitation without an address")
	checkAxe(t, a, s.OrgPath+" with errors ("+lang+")")
	fill(t, a, "#email", s.Member.Person.Email)
	click(t, a, sel("org-invite-submit"))
	wantPath(t, a, s.OrgPath)
	if !has(t, a, sel("notice")) {
		t.Errorf("no notice after inviting: %s", clip(mainText(t, a), 300))
	}
	checkAxe(t, a, s.OrgPath+" invited ("+lang+")")
	s.MemberTab = storyTab(t)
	problemsM := pageProblems(t, s.MemberTab)
	acceptInvitation(t, s.MemberTab, env, waitInvitation(t, smtpSrv, s.Member.Person.Email), s.Member, lang, "member")
	if has(t, s.MemberTab, sel("org-invite-form")) {
		t.Error("a member sees the admins' invitation form")
	}
	navigate(t, s.MemberTab, withLang(env.URL+"/organisationer", lang))
	if !has(t, s.MemberTab, `a[href="`+s.OrgPath+`"]`) {
		t.Errorf("my organisations does not list %s: %s", s.OrgPath, clip(mainText(t, s.MemberTab), 300))
	}
	checkAxe(t, s.MemberTab, "/organisationer (member, "+lang+")")
	orgProblems(t, problemsA())
	orgProblems(t, problemsE())
	orgProblems(t, problemsM())
	return s
}

// TestCampaignStory is issue 10's story, in both languages: the whole way in (an organisation
// applies, is approved, its admin invites a member who accepts after a MitID login); the admin
// subscribes to a pack; the member downloads a members-only item and the pack's ZIP while an
// embargoed item stays invisible (its direct address 404); the editor uploads a new version on
// the item's page and the member gets the notice mail; two days later the embargo passes and the
// item appears for the member. Then the only admin is refused stepping down (the last-admin
// rule in the error summary) and hands the admin role on, which the new admin's open session
// has at once.
func TestCampaignStory(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			// A portal per language: each moves its own clock past the embargo (the test
			// citizens' code displays follow the real time, and the identity domain the clock),
			// so the languages run side by side (their mails differ by address).
			t.Parallel()
			clock := &apptest.Clock{}
			env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.Port, Clock: clock})
			s := approvedOrgWithMember(t, env, smtpSrv, lang)
			packStory(t, env, smtpSrv, clock, s)
			a := s.AdminTab
			problems := pageProblems(t, a)
			navigate(t, a, withLang(env.URL+s.OrgPath, lang))
			roleForm := func(c testCitizen) string {
				return `form[action="` + s.OrgPath + `/medlemmer/` + strconv.FormatInt(c.MitID.ID, 10) + `/rolle"] button`
			}
			click(t, a, roleForm(s.Admin))
			wantErrorSummary(t, a, "the last admin stepping down")
			checkAxe(t, a, s.OrgPath+" last admin refused ("+lang+")")
			click(t, a, roleForm(s.Member))
			wantPath(t, a, s.OrgPath)
			if !has(t, a, sel("notice")) {
				t.Errorf("no notice after handing admin on: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, s.OrgPath+" admin handed on ("+lang+")")
			navigate(t, s.MemberTab, withLang(env.URL+s.OrgPath, lang))
			if !has(t, s.MemberTab, sel("org-invite-form")) {
				t.Errorf("the new admin has no invitation form: %s", clip(mainText(t, s.MemberTab), 300))
			}
			checkAxe(t, s.MemberTab, s.OrgPath+" as the new admin ("+lang+")")
			// Now the first admin may step down.
			navigate(t, a, withLang(env.URL+s.OrgPath, lang))
			click(t, a, roleForm(s.Admin))
			wantPath(t, a, s.OrgPath)
			if has(t, a, sel("org-invite-form")) || has(t, a, sel("error-summary")) {
				t.Errorf("after stepping down: %s", clip(mainText(t, a), 300))
			}
			orgProblems(t, problems())
		})
	}
}

// packStory is the packs' part of TestCampaignStory for the organisation of s.
func packStory(t *testing.T, env *apptest.Env, smtpSrv *mailtest.Server, clock *apptest.Clock, s orgStory) {
	t.Helper()
	ctx, lang := context.Background(), s.Lang
	editor, err := env.App.Server.Staff.ByEmail(ctx, s.EditorEmail)
	if err != nil {
		t.Fatal(err)
	}
	// The editor's pack: a members-only flyer, published, and a poster released in two days.
	slug := "historie-" + lang + "-" + strings.ToLower(flowSuffix())
	pk, err := env.App.Packs.CreatePack(ctx, editor.ID, campaign.NewPack{Slug: slug, Audience: campaign.AudiencePrivate,
		TitleDA: "Pakke til foreninger", TitleEN: "Pack for associations"})
	if err != nil {
		t.Fatal(err)
	}
	item := func(title string, vis campaign.Visibility, at time.Time) campaign.Item {
		it, err := env.App.Packs.CreateItem(ctx, editor.ID, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFlyer,
			Audience: campaign.ForSeniors, Lang: lang, Title: title, Visibility: vis},
			campaign.Upload{Filename: title + ".pdf", Body: strings.NewReader("%PDF-1.4\n" + title)})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Packs.Publish(ctx, editor.ID, it.ID, at); err != nil {
			t.Fatal(err)
		}
		return it
	}
	release := clock.Now().Add(48 * time.Hour)
	flyer := item("Folder for ældre på Ærø", campaign.VisibleMembers, clock.Now().Add(-time.Minute))
	poster := item("Plakat til foråret", campaign.VisibleMembers, release)
	// Released before anyone subscribed: announced to nobody.
	if _, err := env.App.SendPackNotices(ctx); err != nil {
		t.Fatal(err)
	}
	itemCSS := func(it campaign.Item) string { return sel("pack-item-" + strconv.FormatInt(it.ID, 10)) }
	packPath := "/kommunikation/" + slug

	// The admin subscribes the organisation to the pack from its page.
	a := s.AdminTab
	problemsA := pageProblems(t, a)
	navigate(t, a, withLang(env.URL+s.OrgPath, lang))
	click(t, a, sel("org-subs-link"))
	checkAxe(t, a, s.OrgPath+"/abonnementer ("+lang+")")
	do(t, a, chromedp.Click(chromedp.CSS(`label[for="pakke-`+strconv.FormatInt(pk.ID, 10)+`"]`)))
	click(t, a, sel("subs-save"))
	if !has(t, a, sel("subs-saved")) {
		t.Fatalf("no confirmation of the subscription: %s", clip(mainText(t, a), 300))
	}
	orgProblems(t, problemsA())

	// The member finds the pack from the organisation's page, sees the members-only flyer but
	// not the embargoed poster, and downloads the flyer and the pack's ZIP.
	m := s.MemberTab
	problemsM := pageProblems(t, m)
	navigate(t, m, withLang(env.URL+s.OrgPath, lang))
	click(t, m, sel("org-packs-link"))
	wantPath(t, m, "/kommunikation")
	checkAxe(t, m, "/kommunikation as a member ("+lang+")")
	// The front page leads there too.
	navigate(t, m, withLang(env.URL+"/", lang))
	click(t, m, sel("entry-packs"))
	wantPath(t, m, "/kommunikation")
	click(t, m, `[data-testid="pack"] a[href="`+packPath+`"]`)
	wantPath(t, m, packPath)
	checkAxe(t, m, packPath+" as a member ("+lang+")")
	if !has(t, m, itemCSS(flyer)) || has(t, m, itemCSS(poster)) {
		t.Fatalf("the member should see the flyer and not the embargoed poster: %s", clip(mainText(t, m), 400))
	}
	if got := fetchDownload(t, m, itemCSS(flyer)+` [data-testid="item-download"]`); got.Status != 200 ||
		got.SHA256 != flyer.Current.SHA256 || !strings.Contains(got.Disposition, "filename*=utf-8''Folder%20for%20%C3%A6ldre") {
		t.Errorf("the flyer's download: %+v", got)
	}
	if zip := fetchDownload(t, m, sel("pack-zip")); zip.Status != 200 || !strings.Contains(zip.Disposition, ".zip") {
		t.Errorf("the pack's ZIP: %+v", zip)
	}
	orgProblems(t, problemsM())
	posterURL := withLang(env.URL+"/kommunikation/fil/"+strconv.FormatInt(poster.ID, 10), lang)
	if res := navigate(t, m, posterURL); res.Status != 404 {
		t.Errorf("the embargoed poster's address answers %d to a member, want 404", res.Status)
	}
	problemsM() // the 404 is what that step asked for

	// The editor uploads a new version with a change note on the flyer's page.
	e := s.EditorTab
	problemsE := pageProblems(t, e)
	v2 := filepath.Join(t.TempDir(), "folder-v2.pdf")
	if err := os.WriteFile(v2, []byte("%PDF-1.4\nversion 2 "+lang), 0o600); err != nil {
		t.Fatal(err)
	}
	itemPath := "/redaktion/materiale/" + strconv.FormatInt(flyer.ID, 10)
	navigate(t, e, withLang(env.URL+itemPath, lang))
	note := map[string]string{"da": "Nyt telefonnummer til spærrelinjen", "en": "New number of the blocking line"}[lang]
	setText(t, e, "#change_note", note)
	do(t, e, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{v2}))
	click(t, e, sel("version-add"))
	wantPath(t, e, itemPath)
	checkAxe(t, e, itemPath+" with a new version ("+lang+")")
	orgProblems(t, problemsE())

	// The notice job (every minute in the portal; run here so the test need not wait) mails the
	// subscribed member, once, in their language, with the change note.
	if _, err := env.App.SendPackNotices(ctx); err != nil {
		t.Fatal(err)
	}
	got, ok := smtpSrv.Wait(func(m mailtest.Message) bool {
		return m.SentTo(s.Member.Person.Email) && strings.Contains(m.Text, note)
	}, 30*time.Second)
	if !ok {
		t.Fatalf("no notice for the member within 30 s; got: %s", smtpSrv.Summary())
	}
	if want := map[string]string{"da": "Ny version af", "en": "New version of"}[lang]; !strings.Contains(got.Subject, want) ||
		got.Header.Get("List-Unsubscribe") == "" {
		t.Errorf("the notice: %q, List-Unsubscribe %q", got.Subject, got.Header.Get("List-Unsubscribe"))
	}

	// Two days later the poster is released: the member sees it and downloads it.
	clock.Advance(48*time.Hour + time.Minute)
	navigate(t, m, withLang(env.URL+packPath, lang))
	if !has(t, m, itemCSS(poster)) {
		t.Fatalf("after its release the poster should appear: %s", clip(mainText(t, m), 400))
	}
	checkAxe(t, m, packPath+" after the release ("+lang+")")
	if got := fetchDownload(t, m, itemCSS(poster)+` [data-testid="item-download"]`); got.Status != 200 || got.SHA256 != poster.Current.SHA256 {
		t.Errorf("the released poster's download: %+v", got)
	}
	orgProblems(t, problemsM())
}
