package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/staff"
)

// validCVR returns the n-th CVR number from 10000000 up that passes the modulus-11 check.
func validCVR(n int) string {
	w := [8]int{2, 7, 6, 5, 4, 3, 2, 1}
	for i := 10000000; ; i++ {
		s := strconv.Itoa(i)
		sum := 0
		for j := range 8 {
			sum += int(s[j]-'0') * w[j]
		}
		if sum%11 == 0 {
			if n == 0 {
				return s
			}
			n--
		}
	}
}

// orgWorld is an approved organisation whose admin is a citizen, with a member, and the
// campaign editor who approved it.
type orgWorld struct {
	org           campaign.Organisation
	admin, member identity.MitID
	editor        staff.User
}

// newOrgWorld applies for an organisation (CVR number n), approves it as a new editor and lets
// admin and member accept their invitations through the domain.
func newOrgWorld(t testing.TB, env *apptest.Env, n int, admin, member identity.MitID) orgWorld {
	t.Helper()
	ctx := context.Background()
	w := orgWorld{admin: admin, member: member}
	var err error
	w.editor, _, err = env.App.Server.Staff.Create(ctx, fmt.Sprintf("redaktoer%d@styrelsen.dk", n), "Rie Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	contact := fmt.Sprintf("kontakt%d@example.dk", n)
	w.org, err = env.App.Orgs.Apply(ctx, campaign.Application{CVR: validCVR(n), Name: fmt.Sprintf("Forening %d", n),
		Kind: campaign.KindAssociation, ContactName: "Mette Hansen", ContactEmail: contact, Lang: "da"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Orgs.Decide(ctx, w.org.ID, w.editor.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Orgs.Accept(ctx, invitationToken(t, env, contact), admin.ID); err != nil {
		t.Fatal(err)
	}
	if member.ID != 0 {
		mail := fmt.Sprintf("medlem%d@example.dk", n)
		if err := env.App.Orgs.Invite(ctx, w.org.ID, admin.ID, mail, campaign.RoleMember, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Orgs.Accept(ctx, invitationToken(t, env, mail), member.ID); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

var invitationLink = regexp.MustCompile(`http://\S+/organisationer/invitation/(\S+)`)

// invitationToken is the token of the newest invitation mailed to address.
func invitationToken(t testing.TB, env *apptest.Env, address string) string {
	t.Helper()
	var text string
	err := env.App.Pool.QueryRow(context.Background(), `SELECT text_body FROM mail_outbox
		WHERE to_address = $1 AND kind = 'org.invitation' ORDER BY id DESC LIMIT 1`, address).Scan(&text)
	match := invitationLink.FindStringSubmatch(text)
	if err != nil || match == nil {
		t.Fatalf("no invitation mail with a link to %s (%v):\n%s", address, err, text)
	}
	return match[1]
}

// orgBrowser is a browser of citizen m logged in with the roles given.
func orgBrowser(t *testing.T, env *apptest.Env, m identity.MitID, roles ...string) *browser {
	t.Helper()
	cookie := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: append([]string{"citizen"}, roles...),
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	return newBrowser(t, env, cookie, apptest.CSRFToken)
}

// panicTB lets the input table's path functions, which run before any subtest and get no T,
// build the fixture's organisation: a failure panics, which fails the test all the same.
type panicTB struct{ testing.TB }

func (panicTB) Helper()                      {}
func (panicTB) Fatal(args ...any)            { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }
func (panicTB) Errorf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }
func (panicTB) Cleanup(func())               {}
func (panicTB) Name() string                 { return "input-fixture-organisation" }

// inputOrg is the input table's organisation (the fixture's citizen is its admin) and an
// application waiting for a decision, made on first use, once per fixture.
type inputOrg struct {
	world   orgWorld
	pending int64
}

var inputOrgs sync.Map // *inputFixture -> *inputOrg

func (fx *inputFixture) orgs() *inputOrg {
	if o, ok := inputOrgs.Load(fx); ok {
		return o.(*inputOrg)
	}
	var t panicTB
	o := &inputOrg{world: newOrgWorld(t, fx.env, 0, fx.citizen, fx.env.NewCitizen(t))}
	org, err := fx.env.App.Orgs.Apply(context.Background(), campaign.Application{CVR: validCVR(1), Name: "Venter",
		Kind: campaign.KindSchool, ContactName: "Bo", ContactEmail: "bo@example.dk", Lang: "da"})
	if err != nil {
		panic(err)
	}
	o.pending = org.ID
	inputOrgs.Store(fx, o)
	return o
}

func (fx *inputFixture) orgPath() string {
	return "/organisationer/" + strconv.FormatInt(fx.orgs().world.org.ID, 10)
}

func (fx *inputFixture) orgMemberPath(action string) string {
	return fx.orgPath() + "/medlemmer/" + strconv.FormatInt(fx.orgs().world.member.ID, 10) + "/" + action
}

func (fx *inputFixture) approvedOrgEditorPath() string {
	return "/redaktion/organisationer/" + strconv.FormatInt(fx.orgs().world.org.ID, 10)
}

func (fx *inputFixture) pendingOrgPath() string {
	return "/redaktion/organisationer/" + strconv.FormatInt(fx.orgs().pending, 10)
}

func (fx *inputFixture) asOrgAdmin(t *testing.T) *browser {
	return orgBrowser(t, fx.env, fx.orgs().world.admin, "org_member", "org_admin")
}

// TestOrgApplyForm: the public form takes a CVR number with "DK" and spaces, shows each rule at
// its field in the error summary, refuses a CVR number that already applied, and answers a
// valid application with the receipt that says what happens next.
func TestOrgApplyForm(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	valid := func(kv ...string) url.Values {
		f := url.Values{"cvr": {"DK 24 25 67 90"}, "name": {"Aarhus Bibliotekerne"}, "kind": {"library"},
			"contact_name": {"Mette Hansen"}, "email": {"mette@example.dk"}, "lang": {"da"}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	tests := []struct {
		name   string
		fields url.Values
		status int
		// field and msgID of the error the summary must link to; "" for the receipt
		field, msgID string
	}{
		{"CVR fails modulus 11", valid("cvr", "24256791"), http.StatusUnprocessableEntity, "cvr", campaign.ErrCVRInvalid.MsgID},
		{"CVR too short", valid("cvr", "2425679"), http.StatusUnprocessableEntity, "cvr", campaign.ErrCVRInvalid.MsgID},
		{"no CVR", valid("cvr", ""), http.StatusUnprocessableEntity, "cvr", "campaignorgs.err.cvr_required"},
		{"blank name", valid("name", "   "), http.StatusUnprocessableEntity, "name", "campaignorgs.err.name_required"},
		{"unknown kind", valid("kind", "church"), http.StatusUnprocessableEntity, "kind", campaign.ErrKindInvalid.MsgID},
		{"no kind", valid("kind", ""), http.StatusUnprocessableEntity, "kind", campaign.ErrKindInvalid.MsgID},
		{"no contact", valid("contact_name", ""), http.StatusUnprocessableEntity, "contact_name", "campaignorgs.err.contact_name_required"},
		{"bad e-mail", valid("email", "mette@"), http.StatusUnprocessableEntity, "email", campaign.ErrEmailInvalid.MsgID},
		{"e-mail with a name", valid("email", "Mette <mette@example.dk>"), http.StatusUnprocessableEntity, "email", campaign.ErrEmailInvalid.MsgID},
		{"unknown language", valid("lang", "fr"), http.StatusUnprocessableEntity, "lang", campaign.ErrLangInvalid.MsgID},
		{"valid with DK and spaces", valid(), http.StatusOK, "", ""},
		{"the same CVR again", valid("cvr", "24256790", "email", "anden@example.dk"), http.StatusUnprocessableEntity, "cvr", campaign.ErrCVRTaken.MsgID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, env, nil, "")
			b.page(t, "/organisationer/ansoeg")
			res, body := b.post(t, "/organisationer/ansoeg", tt.fields)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.field == "" {
				if !strings.Contains(body, `data-testid="org-applied"`) || !strings.Contains(body, "mette@example.dk") {
					t.Error("no receipt naming the contact address")
				}
				return
			}
			if !strings.Contains(body, `href="#`+tt.field+`"`) || !strings.Contains(html.UnescapeString(body), tr.T(tt.msgID)) {
				t.Errorf("no error summary linking %s with %q", tt.field, tr.T(tt.msgID))
			}
		})
	}
	if n := count(t, env, `SELECT count(*) FROM organisation WHERE cvr = '24256790' AND status = 'pending'`); n != 1 {
		t.Errorf("%d applications stored, want 1", n)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'org_applied'`); n != 1 {
		t.Errorf("%d applications audited, want 1", n)
	}
}

// TestOrgApplyParallelIsLimited: 100 applications posted at once from one address store exactly
// campaign.ApplyLimit; the others are told to wait (429 with Retry-After and the form's summary).
func TestOrgApplyParallelIsLimited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	b := newBrowser(t, env, nil, "")
	b.page(t, "/organisationer/ansoeg")
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fields := url.Values{"cvr": {validCVR(i)}, "name": {fmt.Sprintf("Forening %d", i)}, "kind": {"association"},
				"contact_name": {"Bo"}, "email": {fmt.Sprintf("bo%d@example.dk", i)}, "lang": {"da"}, "csrf_token": {b.csrf}}
			res, err := b.client.PostForm(env.URL+"/organisationer/ansoeg", fields)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
			if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("status %d", s)
		}
	}
	stored := count(t, env, `SELECT count(*) FROM organisation`)
	if ok != campaign.ApplyLimit || stored != campaign.ApplyLimit {
		t.Errorf("%d accepted, %d stored, want %d", ok, stored, campaign.ApplyLimit)
	}
}

// TestOrgDecideParallel: 100 editors' approvals of one application at once: one wins, the
// others are told it is already decided (409), and there is one audit entry and one invitation.
func TestOrgDecideParallel(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	editor, _, err := env.App.Server.Staff.Create(context.Background(), "rie@styrelsen.dk", "Rie Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := env.App.Orgs.Apply(context.Background(), campaign.Application{CVR: "24256790", Name: "Aarhus Bibliotekerne",
		Kind: campaign.KindLibrary, ContactName: "Mette", ContactEmail: "mette@example.dk", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/redaktion/organisationer/" + strconv.FormatInt(org.ID, 10)
	b := staffSession(t, env, editor)
	if body := b.page(t, path); !strings.Contains(body, `data-testid="org-decide-form"`) {
		t.Fatal("no decision form on a pending application")
	}
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.client.PostForm(env.URL+path+"/afgoer", url.Values{"decision": {"approve"},
				"decision_note": {"Velkommen"}, "csrf_token": {b.csrf}})
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", s)
		}
	}
	if won != 1 {
		t.Errorf("%d approvals went through, want 1", won)
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'org_approved' AND actor = $1 AND detail->>'note' = 'Velkommen'`,
		"staff:"+strconv.FormatInt(editor.ID, 10)); n != 1 {
		t.Errorf("%d approvals audited, want 1", n)
	}
	m := lastMail(t, env, "mette@example.dk", "org.invitation")
	if count(t, env, `SELECT count(*) FROM mail_outbox WHERE kind = 'org.invitation'`) != 1 || !strings.Contains(m.Subject, "Invitation to") {
		t.Errorf("want one invitation in English, got %q", m.Subject)
	}
	// A second decision afterwards is refused clearly, with the page as it is now.
	res, body := b.post(t, path+"/afgoer", url.Values{"decision": {"reject"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-summary"`) {
		t.Errorf("a later rejection: %d", res.StatusCode)
	}
	// The forum membership is toggled and audited.
	if res, _ := b.post(t, path+"/forum", url.Values{"forum": {"yes"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forum: %d", res.StatusCode)
	}
	if n := count(t, env, `SELECT count(*) FROM organisation WHERE id = $1 AND forum_member`, org.ID); n != 1 {
		t.Error("not a forum member")
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'org_forum_member'`); n != 1 {
		t.Errorf("%d forum changes audited, want 1", n)
	}
}

// TestOrgInvitationOverHTTP: an admin invites by e-mail; the link's GET shows the organisation
// and a MitID login that comes back, and writes nothing; the logged-in citizen's POST accepts,
// after which the session has the member role at once; the link works once and not after it
// expired.
func TestOrgInvitationOverHTTP(t *testing.T) {
	t.Parallel()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	admin, joiner := env.NewCitizen(t), env.NewCitizen(t)
	w := newOrgWorld(t, env, 3, admin, identity.MitID{})
	orgPath := "/organisationer/" + strconv.FormatInt(w.org.ID, 10)
	ab := orgBrowser(t, env, admin, "org_member", "org_admin")
	ab.page(t, orgPath)
	if res, _ := ab.post(t, orgPath+"/inviter", url.Values{"email": {"ny@example.dk"}, "role": {"member"}, "lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	token := invitationToken(t, env, "ny@example.dk")
	link := "/organisationer/invitation/" + token

	before := count(t, env, `SELECT count(*) FROM organisation_invitation WHERE accepted_at IS NOT NULL`)
	anon := newBrowser(t, env, nil, "")
	body := anon.page(t, link)
	if !strings.Contains(body, `data-testid="invitation-login"`) || !strings.Contains(body, "/log-ind?next="+url.QueryEscape(link)) {
		t.Error("the link's page asks for no login that comes back")
	}
	jb := orgBrowser(t, env, joiner)
	if body := jb.page(t, link); !strings.Contains(body, `data-testid="invitation-accept"`) {
		t.Fatal("no accept button for a logged-in citizen")
	}
	if after := count(t, env, `SELECT count(*) FROM organisation_invitation WHERE accepted_at IS NOT NULL`); after != before {
		t.Fatal("a GET of the link accepted it")
	}
	if status, _ := jb.get(t, orgPath); status != http.StatusForbidden {
		t.Errorf("before accepting, the organisation's page: %d, want 403", status)
	}
	res, _ := jb.post(t, link, url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != orgPath+"?done=joined" {
		t.Fatalf("accept: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if body := jb.page(t, orgPath); !strings.Contains(body, `data-testid="org-members"`) || strings.Contains(body, `data-testid="org-invite-form"`) {
		t.Error("the new member does not see the members, or sees the admins' form")
	}
	if res, body := jb.post(t, link, url.Values{}); res.StatusCode != http.StatusNotFound || !strings.Contains(body, `data-testid="invitation-invalid"`) {
		t.Errorf("second accept: %d", res.StatusCode)
	}
	if body := jb.page(t, link); !strings.Contains(body, `data-testid="invitation-invalid"`) {
		t.Error("a used link still shows the invitation")
	}
	// An expired link.
	if res, _ := ab.post(t, orgPath+"/inviter", url.Values{"email": {"sen@example.dk"}, "role": {"admin"}, "lang": {"da"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	late := "/organisationer/invitation/" + invitationToken(t, env, "sen@example.dk")
	clock.Advance(campaign.InvitationLifetime + time.Minute)
	other := orgBrowser(t, env, env.NewCitizen(t))
	if status, _ := other.get(t, late); status != http.StatusNotFound {
		t.Errorf("expired link: %d, want 404", status)
	}
	other.page(t, "/organisationer")
	if res, _ := other.post(t, late, url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("expired accept: %d, want 404", res.StatusCode)
	}
	if status, _ := other.get(t, "/organisationer/invitation/ukendt"); status != http.StatusNotFound {
		t.Errorf("unknown link: %d, want 404", status)
	}
}

// TestOrgMembersOverHTTP: only the organisation's own members see it (others: 404, whatever
// their session's roles); a member who is no admin cannot invite; the last admin cannot step
// down or leave and is told why; handing admin on works at once.
func TestOrgMembersOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	admin, member, stranger := env.NewCitizen(t), env.NewCitizen(t), env.NewCitizen(t)
	w := newOrgWorld(t, env, 4, admin, member)
	orgPath := "/organisationer/" + strconv.FormatInt(w.org.ID, 10)
	memberPath := func(m identity.MitID, action string) string {
		return orgPath + "/medlemmer/" + strconv.FormatInt(m.ID, 10) + "/" + action
	}
	sb := orgBrowser(t, env, stranger, "org_member", "org_admin")
	if status, _ := sb.get(t, orgPath); status != http.StatusNotFound {
		t.Errorf("a stranger with organisation roles: %d, want 404", status)
	}
	sb.page(t, "/organisationer")
	if res, _ := sb.post(t, orgPath+"/inviter", url.Values{"email": {"x@example.dk"}, "role": {"admin"}, "lang": {"da"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stranger invites: %d, want 404", res.StatusCode)
	}
	mb := orgBrowser(t, env, member, "org_member")
	if body := mb.page(t, orgPath); strings.Contains(body, `data-testid="org-invite-form"`) {
		t.Error("a member sees the invitation form")
	}
	if res, _ := mb.post(t, orgPath+"/inviter", url.Values{"email": {"x@example.dk"}, "role": {"admin"}, "lang": {"da"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member invites: %d, want 403", res.StatusCode)
	}
	if res, _ := mb.post(t, memberPath(admin, "fjern"), url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member removes the admin: %d, want 403", res.StatusCode)
	}
	ab := orgBrowser(t, env, admin, "org_member", "org_admin")
	ab.page(t, orgPath)
	lastAdmin := html.EscapeString(tr.T(campaign.ErrLastAdmin.MsgID))
	for _, step := range []struct{ name, path, role string }{
		{"step down", memberPath(admin, "rolle"), "member"},
		{"leave", memberPath(admin, "fjern"), ""},
	} {
		t.Run("last admin cannot "+step.name, func(t *testing.T) {
			res, body := ab.post(t, step.path, url.Values{"new_role": {step.role}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, lastAdmin) {
				t.Errorf("%d, want 409 with the last-admin rule in the summary", res.StatusCode)
			}
		})
	}
	if n := count(t, env, `SELECT count(*) FROM organisation_member WHERE organisation_id = $1 AND role = 'admin'`, w.org.ID); n != 1 {
		t.Fatalf("%d admins", n)
	}
	// Handing admin on, then stepping down.
	if res, _ := ab.post(t, memberPath(member, "rolle"), url.Values{"new_role": {"admin"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("hand admin on: %d", res.StatusCode)
	}
	if body := mb.page(t, orgPath); !strings.Contains(body, `data-testid="org-invite-form"`) {
		t.Error("the new admin (session from before) does not get the admins' form at once")
	}
	if res, _ := ab.post(t, memberPath(admin, "rolle"), url.Values{"new_role": {"member"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("step down: %d", res.StatusCode)
	}
	if body := ab.page(t, orgPath); strings.Contains(body, `data-testid="org-invite-form"`) {
		t.Error("the former admin still has the admins' form")
	}
	if n := count(t, env, `SELECT count(*) FROM audit_log WHERE action = 'org_member_role_changed'`); n != 2 {
		t.Errorf("%d role changes audited, want 2", n)
	}
	// The former admin leaves; the member list no longer has them.
	if res, _ := ab.post(t, memberPath(admin, "fjern"), url.Values{}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/organisationer" {
		t.Errorf("leave: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if status, _ := ab.get(t, orgPath); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("after leaving, the organisation's page: %d", status)
	}
}

// TestOverviewLeadsToMyOrganisations: a member or admin of an organisation finds it from the
// overview of their MitID (they log in there; no other page links to /organisationer); a
// citizen in no organisation gets no such link.
func TestOverviewLeadsToMyOrganisations(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	tests := []struct {
		name  string
		roles []string
		link  bool
	}{
		{"admin", []string{"org_member", "org_admin"}, true},
		{"member", []string{"org_member"}, true},
		{"in no organisation", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := orgBrowser(t, env, env.NewCitizen(t), tt.roles...)
			body := b.page(t, "/mitid")
			if !strings.Contains(body, `data-testid="change-password-link"`) {
				t.Fatal("/mitid is not the overview")
			}
			if got := strings.Contains(body, `href="/organisationer"`); got != tt.link {
				t.Errorf("link to /organisationer: %v, want %v", got, tt.link)
			}
		})
	}
}

// TestOrgPageLeadsToTheForum: a member of an organisation in the stakeholder forum finds the
// forum from the organisation's page; the page of one that is not in it has no such link.
func TestOrgPageLeadsToTheForum(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	member := env.NewCitizen(t)
	w := newOrgWorld(t, env, 5, env.NewCitizen(t), member)
	orgPath := "/organisationer/" + strconv.FormatInt(w.org.ID, 10)
	b := orgBrowser(t, env, member, "org_member")
	for _, forum := range []bool{false, true} {
		if err := env.App.Orgs.SetForumMember(context.Background(), w.org.ID, w.editor.ID, forum); err != nil {
			t.Fatal(err)
		}
		body := b.page(t, orgPath)
		if !strings.Contains(body, `data-testid="org-packs-link"`) {
			t.Fatalf("%s is not the organisation's page", orgPath)
		}
		if got := strings.Contains(body, `href="/forum"`); got != forum {
			t.Errorf("in the forum %v: link to /forum %v", forum, got)
		}
	}
	if status, _ := b.get(t, "/forum"); status != http.StatusOK {
		t.Errorf("the member follows the link: %d", status)
	}
}
