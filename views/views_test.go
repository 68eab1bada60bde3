package views_test

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/a-h/templ"

	"mitidportal/locales"
	"mitidportal/views"
)

const csrfToken = "csrf-test-token"

// render renders c as a page in lang, in demo mode or not.
func render(t *testing.T, cat *locales.Catalog, lang string, demo bool, c templ.Component) string {
	t.Helper()
	p := &views.Page{
		T:      cat.For(lang),
		Nonce:  "nonce",
		CSRF:   func() string { return csrfToken },
		Asset:  func(name string) string { return "/static/" + name },
		URL:    &url.URL{Path: "/x"},
		Footer: views.Footer{SupportPhone: "33 98 00 10", BlockPhone: "33 98 00 20", Open: true, Until: "20.00"},
		User:   &views.User{Name: "Anna Testesen"},
		Demo:   demo,
	}
	var buf bytes.Buffer
	if err := c.Render(views.WithPage(context.Background(), p), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func loadCatalog(t *testing.T) *locales.Catalog {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var reasons = []views.Option{
	{Value: "lost", LabelID: "identity.block_reason.lost"},
	{Value: "stolen", LabelID: "identity.block_reason.stolen"},
	{Value: "misuse_suspected", LabelID: "identity.block_reason.misuse_suspected"},
	{Value: "other_reason", LabelID: "identity.block_reason.other_reason"},
}

// withErrors is a form re-shown with one error per field, and typed values.
func withErrors(values map[string]string, fields ...string) views.Form {
	f := views.Form{Values: values}
	for _, id := range fields {
		f.Errors = append(f.Errors, views.FieldError{Field: id, MsgID: "form.err.username_required"})
	}
	return f
}

// page is one component to check: posts are the form actions it must have, want are
// substrings its HTML must contain, errs are the field ids given errors.
type page struct {
	name  string
	comp  templ.Component
	posts []string
	errs  []string
	want  []string
}

func pages() []page {
	means := views.MeansView{ID: 7, KindID: "identity.kind.code_display", Label: "Min kodeviser", Reasons: reasons}
	return []page{
		{name: "login", comp: views.Login(views.LoginView{Next: "/mitid/post", Reauth: true, Form: withErrors(map[string]string{"username": "anna"}, "username")}),
			posts: []string{"/log-ind"}, errs: []string{"username"},
			want: []string{`name="next" value="/mitid/post"`, `value="anna"`, `autocomplete="username"`, `href="/opret"`, `data-testid="reauth-notice"`, `data-testid="forgot-username"`}},
		{name: "login-method", comp: views.LoginMethod(views.LoginMethodView{Username: "anna", Form: views.Form{Errors: []views.FieldError{{MsgID: "form.err.app_failed"}}}}),
			posts: []string{"/log-ind/app"},
			want:  []string{`href="/log-ind/kode"`, `href="/log-ind/chip"`, `href="/log-ind"`, `<strong>anna</strong>`, `data-testid="error-summary"`}},
		{name: "login-code", comp: views.LoginCode(views.LoginCodeView{Username: "anna", Form: withErrors(map[string]string{"password": "secret-pw", "code": "123456"}, "password", "code")}),
			posts: []string{"/log-ind/kode"}, errs: []string{"password", "code"},
			want: []string{`inputmode="numeric"`, `autocomplete="one-time-code"`, `autocomplete="current-password"`}},
		{name: "login-chip", comp: views.LoginChip(views.LoginChipView{Username: "anna", Form: withErrors(nil, "password")}),
			posts: []string{"/log-ind/chip/begin"}, errs: []string{"password"},
			want: []string{`data-begin-url="/log-ind/chip/begin"`, `data-finish-url="/log-ind/chip/finish"`, `data-testid="chip-login" disabled`, `role="status" aria-live="polite"`, `<noscript>`, `data-msg-cancelled=`}},
		{name: "login-blocked", comp: views.LoginBlocked(),
			want: []string{`data-testid="mitid-blocked"`, `href="tel:33980010"`, `href="tel:33980020"`, `href="/glemt"`}},
		{name: "throttled", comp: views.Throttled(views.ThrottledView{Minutes: 7, BackHref: "/log-ind"}),
			want: []string{`data-testid="throttled"`, ` 7 `, `href="/log-ind"`}},
		{name: "reauth", comp: views.Reauth(views.ReauthView{Next: "/mitid/adgangskode"}),
			want: []string{`action="/log-ind"`, `name="next" value="/mitid/adgangskode"`, `name="reauth" value="1"`}},
		{name: "create-start", comp: views.CreateStart(views.CreateStartView{Form: views.Form{Values: map[string]string{"cpr": "010190-1234", "name": "Anna", "document": "X1"},
			Errors: []views.FieldError{{Field: "cpr", MsgID: "identity.err.identity_not_matched"}}}}),
			posts: []string{"/opret"}, errs: []string{"cpr"},
			want: []string{`data-testid="create-steps"`, `aria-current="step"`, `name="name"`, `name="document"`, `value="010190-1234"`}},
		{name: "activate", comp: views.Activate(views.ActivateView{Sent: true, EmailSent: true, Dead: true, NewLetterHref: "/glemt/brev",
			Form: withErrors(map[string]string{"cpr": "010190-1234", "code": "ABCD"}, "cpr", "code")}),
			posts: []string{"/aktiver"}, errs: []string{"cpr", "code"},
			want: []string{`href="/demo/post"`, `data-testid="email-sent"`, `value="010190-1234"`, `data-testid="new-letter-link"`, `href="/glemt/brev"`, `data-testid="earlier-code-stopped"`}},
		{name: "forgot", comp: views.Forgot(views.ForgotView{Lost: views.LostPasswordApp, Options: []views.Option{{Value: views.LostPasswordApp, LabelID: "forgot.lost.password_app"}},
			Form: views.Form{Values: map[string]string{"mistet": views.LostPasswordApp}}}),
			want: []string{`method="get" action="/glemt"`, `type="radio"`, `checked`, `href="/log-ind?next=%2Fmitid%2Fadgangskode"`}},
		{name: "forgot-prove", comp: views.Forgot(views.ForgotView{Lost: views.LostEverything}),
			want: []string{`href="/glemt/brev"`, `href="/glemt/borgerservice"`, `href="/idapp"`}},
		{name: "forgot-letter", comp: views.ForgotLetter(views.ForgotLetterView{Blocked: true, Form: withErrors(nil, "cpr")}),
			posts: []string{"/glemt/brev"}, errs: []string{"cpr"},
			want: []string{`data-testid="letter-blocked"`, `href="/idapp"`, `href="/glemt/borgerservice"`, `data-testid="earlier-code-note"`}},
		{name: "forgot-inperson", comp: views.ForgotInPerson(), want: []string{`href="/glemt"`}},
		{name: "create-user", comp: views.CreateUser(views.CreateUserView{Form: withErrors(map[string]string{"username": "anna", "password": "x"}, "username", "password", "password_repeat")}),
			posts: []string{"/opret/bruger"}, errs: []string{"username", "password", "password_repeat"},
			want: []string{`autocomplete="new-password"`, `data-testid="password-rules"`, `data-testid="username-rules"`}},
		{name: "create-means", comp: views.CreateMeans(),
			want: []string{`href="/opret/app"`, `href="/opret/kodeviser"`, `href="/opret/chip"`}},
		{name: "create-token", comp: views.CreateToken(views.CreateTokenView{Form: withErrors(map[string]string{"serial": "KV-1"}, "serial", "code")}),
			posts: []string{"/opret/kodeviser"}, errs: []string{"serial", "code"}, want: []string{`value="KV-1"`}},
		{name: "create-chip", comp: views.CreateChip(views.CreateChipView{}),
			posts: []string{"/opret/chip/begin"},
			want:  []string{`data-begin-url="/opret/chip/begin"`, `data-finish-url="/opret/chip/finish"`, `data-testid="chip-register" disabled`}},
		{name: "create-done", comp: views.CreateDone(views.CreateDoneView{Username: "anna"}),
			want: []string{`data-testid="create-done"`, `href="/log-ind"`, `>anna<`}},
		{name: "create-done-recovered", comp: views.CreateDone(views.CreateDoneView{Username: "anna", Recovered: true}),
			want: []string{`data-testid="create-done"`, `>anna<`}},
		{name: "overview", comp: views.Overview(views.OverviewView{Username: "anna", StatusID: "identity.status.active", AssuranceID: "identity.level.substantial",
			SessionLevelID: "identity.level.high", UnreadLetters: 2, NoticeID: "selfservice.notice.renamed", Means: []views.MeansRow{
				{ID: 1, KindID: "identity.kind.password", StatusID: "identity.auth_status.active", Created: "1. maj"},
				{ID: 7, KindID: "identity.kind.code_display", Label: "Min kodeviser", StatusID: "identity.auth_status.active", Created: "2. maj", LastUsed: "3. maj", CanRename: true, CanBlock: true, CanRemove: true},
			}}),
			want: []string{`role="status" data-testid="notice"`, `href="/mitid/middel/7/omdoeb"`, `href="/mitid/middel/7/spaer"`, `href="/mitid/middel/7/fjern"`,
				`<span class="sr-only"> `, `Min kodeviser`, `href="/mitid/app/tilfoej"`, `href="/mitid/chip/tilfoej"`, `href="/mitid/kodeviser/tilfoej"`,
				`href="/mitid/adgangskode"`, `href="/mitid/brugernavn"`, `href="/mitid/aktivitet"`, `href="/mitid/sessioner"`, `href="/mitid/post"`, `href="/mitid/spaer"`, `(2 `}},
		{name: "rename", comp: views.RenameMeans(views.MeansView{ID: 7, KindID: means.KindID, Label: means.Label, Form: withErrors(map[string]string{"label": "Ny"}, "label")}),
			posts: []string{"/mitid/middel/7/omdoeb"}, errs: []string{"label"}, want: []string{`value="Ny"`}},
		{name: "block-means", comp: views.BlockMeans(views.MeansView{ID: 7, KindID: means.KindID, Reasons: reasons, Form: withErrors(map[string]string{"reason": "stolen"}, "reason")}),
			posts: []string{"/mitid/middel/7/spaer"}, errs: []string{"reason"},
			want: []string{`type="radio"`, `value="stolen" checked`, `<legend`, `button-warning`}},
		{name: "remove-means", comp: views.RemoveMeans(views.MeansView{ID: 7, KindID: means.KindID, Form: views.Form{Errors: []views.FieldError{{MsgID: "identity.err.last_means"}}}}),
			posts: []string{"/mitid/middel/7/fjern"}, want: []string{`data-testid="error-summary"`, `button-warning`}},
		{name: "add-token", comp: views.AddToken(views.AddTokenView{Form: withErrors(nil, "serial")}),
			posts: []string{"/mitid/kodeviser/tilfoej"}, errs: []string{"serial"}},
		{name: "add-chip", comp: views.AddChip(views.AddChipView{Form: withErrors(nil, "label")}),
			posts: []string{"/mitid/chip/tilfoej/begin"}, errs: []string{"label"},
			want: []string{`data-begin-url="/mitid/chip/tilfoej/begin"`, `data-finish-url="/mitid/chip/tilfoej/finish"`, `data-testid="chip-add" disabled`}},
		{name: "change-password", comp: views.ChangePassword(views.ChangePasswordView{Username: "anna", Form: withErrors(nil, "password", "password_repeat")}),
			posts: []string{"/mitid/adgangskode"}, errs: []string{"password", "password_repeat"}, want: []string{`autocomplete="new-password"`}},
		{name: "change-username", comp: views.ChangeUsername(views.ChangeUsernameView{Username: "anna", Form: withErrors(map[string]string{"username": "anna2"}, "username")}),
			posts: []string{"/mitid/brugernavn"}, errs: []string{"username"}, want: []string{`value="anna2"`}},
		{name: "activity", comp: views.Activity(views.ActivityView{NewerHref: "/mitid/aktivitet", OlderHref: "/mitid/aktivitet?before=41", Rows: []views.ActivityRow{
			{Time: "3. maj 10.00", WhatID: "identity.activity.login", ByID: "selfservice.actor.citizen", Details: []views.ActivityDetail{
				{LabelID: "selfservice.detail.service", Value: "MitID-portalen"}, {LabelID: "selfservice.detail.level", ValueID: "identity.level.high"}}},
		}}),
			want: []string{`<caption>`, `scope="col"`, `href="/mitid/aktivitet?before=41"`, `data-testid="activity-newer"`, `MitID-portalen`}},
		{name: "activity-empty", comp: views.Activity(views.ActivityView{}), want: []string{`data-testid="activity-empty"`}},
		{name: "sessions", comp: views.Sessions(views.SessionsView{Sessions: []views.SessionRow{
			{Started: "3. maj 10.00", LastUsed: "3. maj 10.05", LevelID: "identity.level.high", Current: true},
			{Started: "1. maj 08.00", LastUsed: "1. maj 09.00"},
		}}),
			posts: []string{"/mitid/sessioner/log-ud-alle"}, want: []string{`data-testid="this-session"`, `<caption>`}},
		{name: "block-mine", comp: views.BlockMitID(views.BlockView{Reasons: reasons, Form: withErrors(nil, "reason")}),
			posts: []string{"/mitid/spaer"}, errs: []string{"reason"}, want: []string{`data-testid="block-consequences"`, `button-warning`}},
		{name: "public-block", comp: views.PublicBlock(views.BlockView{Reasons: reasons, Form: withErrors(map[string]string{"username": "anna", "cpr": "0101901234", "consent": "yes"}, "username", "cpr", "reason", "consent")}),
			posts: []string{"/spaer"}, errs: []string{"username", "cpr", "reason", "consent"},
			want: []string{`type="checkbox"`, `value="yes" checked`, `href="tel:33980020"`}},
		{name: "public-block-done", comp: views.PublicBlockDone(), want: []string{`data-testid="public-block-done"`, `href="tel:33980020"`}},
		// An unread letter opens by a form (it is marked read), a read one is a plain link.
		{name: "letters", comp: views.Letters(views.LettersView{Letters: []views.LetterRow{
			{ID: 3, Date: "3. maj", Subject: "Din aktiveringskode", Unread: true},
			{ID: 2, Date: "2. maj", Subject: "Din kodeviser er sendt"}}}),
			posts: []string{"/mitid/post/3/aabn"},
			want:  []string{`href="/mitid/post/2"`, `data-testid="letter-unread"`, `lang="da"`}},
		{name: "letters-empty", comp: views.Letters(views.LettersView{}), want: []string{`data-testid="letters-empty"`}},
		{name: "demo", comp: views.DemoMailbox(views.DemoMailView{
			Letters: []views.DemoLetter{{ID: 9, Recipient: "Anna Testesen", Date: "3. maj", Subject: "Din aktiveringskode"}},
			Mails:   []views.DemoMail{{To: "anna@example.org", Subject: "Din kode", Time: "10.00", Body: "Hej Anna\nKoden er ABCD-EFGH-JKMN"}},
		}),
			want: []string{`href="/demo/post/brev/9"`, `<details`, `Hej Anna<br>`, `Koden er ABCD-EFGH-JKMN`, `data-testid="demo-only"`}},
	}
}

var (
	formRE      = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	attrRE      = func(name string) *regexp.Regexp { return regexp.MustCompile(`\b` + name + `="([^"]*)"`) }
	idRE        = attrRE("id")
	actionRE    = attrRE("action")
	forRE       = attrRE("for")
	describedRE = attrRE("aria-describedby")
	inputRE     = regexp.MustCompile(`<input\b[^>]*>`)
	submitRE    = regexp.MustCompile(`<button\b[^>]*type="submit"[^>]*>`)
	summaryRE   = regexp.MustCompile(`(?s)<div[^>]*data-testid="error-summary".*?</ul>`)
	mainRE      = regexp.MustCompile(`(?s)<main\b.*</main>`)
	hrefHashRE  = regexp.MustCompile(`href="#([^"]*)"`)
	hiddenRE    = regexp.MustCompile(`\shidden[\s/>]`)
	messageIDRE = regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b`)
)

// namespaces are the top-level tables of every locale file: a string shaped like a message ID
// in one of them, left in a page, is a message that was not translated.
func namespaces(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("../locales/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no locale files: %v", err)
	}
	out := map[string]bool{}
	for _, f := range files {
		var tree map[string]any
		if _, err := toml.DecodeFile(f, &tree); err != nil {
			t.Fatal(err)
		}
		for k := range tree {
			out[k] = true
		}
	}
	return out
}

func TestPagesInBothLanguages(t *testing.T) {
	cat := loadCatalog(t)
	ns := namespaces(t)
	for _, p := range pages() {
		var byLang = map[string]string{}
		for _, lang := range locales.Supported {
			t.Run(p.name+"/"+lang, func(t *testing.T) {
				html := render(t, cat, lang, true, p.comp)
				byLang[lang] = html
				checkPage(t, html, lang, ns)
				// The layout's own forms (log out) are the layout's business.
				main := mainRE.FindString(html)
				checkForms(t, main, p.posts)
				checkFields(t, main)
				checkErrors(t, main, p.errs)
				for _, w := range p.want {
					if !strings.Contains(html, w) {
						t.Errorf("the page lacks %q", w)
					}
				}
			})
		}
		if byLang["da"] != "" && byLang["da"] == byLang["en"] {
			t.Errorf("%s: Danish and English pages are the same", p.name)
		}
	}
}

// checkPage checks what every page needs: its language, one h1, unique ids, and no message
// ID left untranslated.
func checkPage(t *testing.T, html, lang string, ns map[string]bool) {
	t.Helper()
	if !strings.Contains(html, `<html lang="`+lang+`">`) {
		t.Errorf(`no <html lang=%q>`, lang)
	}
	if n := strings.Count(html, "<h1"); n != 1 {
		t.Errorf("%d <h1> elements, want 1", n)
	}
	seen := map[string]bool{}
	for _, m := range idRE.FindAllStringSubmatch(html, -1) {
		if seen[m[1]] {
			t.Errorf("id %q is used twice", m[1])
		}
		seen[m[1]] = true
	}
	for _, m := range describedRE.FindAllStringSubmatch(html, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !seen[id] {
				t.Errorf("aria-describedby refers to %q, which is not on the page", id)
			}
		}
	}
	for _, id := range messageIDRE.FindAllString(html, -1) {
		first, _, _ := strings.Cut(id, ".")
		if ns[first] {
			t.Errorf("message %q is not translated", id)
		}
	}
}

// checkForms checks that the page posts exactly to want, that every POST form carries the
// CSRF token, and that every form and submit button has a data-testid.
func checkForms(t *testing.T, html string, want []string) {
	t.Helper()
	var posts []string
	for _, m := range formRE.FindAllStringSubmatch(html, -1) {
		attrs, body := m[1], m[2]
		if !strings.Contains(attrs, "data-testid=") {
			t.Errorf("form %s has no data-testid", attrs)
		}
		if !strings.Contains(attrs, `method="post"`) {
			continue
		}
		a := actionRE.FindStringSubmatch(attrs)
		if a == nil {
			t.Errorf("POST form %s has no action", attrs)
			continue
		}
		posts = append(posts, a[1])
		if !strings.Contains(body, `name="csrf_token" value="`+csrfToken+`"`) {
			t.Errorf("POST form to %s has no CSRF field", a[1])
		}
	}
	if strings.Join(posts, " ") != strings.Join(want, " ") {
		t.Errorf("the page posts to %q, want %q", posts, want)
	}
	for _, b := range submitRE.FindAllString(html, -1) {
		if !strings.Contains(b, "data-testid=") {
			t.Errorf("submit button %s has no data-testid", b)
		}
	}
}

// checkFields checks that every visible input has a label.
func checkFields(t *testing.T, html string) {
	t.Helper()
	labelled := map[string]bool{}
	for _, m := range forRE.FindAllStringSubmatch(html, -1) {
		labelled[m[1]] = true
	}
	for _, in := range inputRE.FindAllString(html, -1) {
		if strings.Contains(in, `type="hidden"`) || hiddenRE.MatchString(in) {
			continue
		}
		id := idRE.FindStringSubmatch(in)
		if id == nil || !labelled[id[1]] {
			t.Errorf("input without a label: %s", in)
		}
	}
}

// checkErrors checks the error summary against the fields in error: one link per error to an
// input on the page, which is marked invalid and described by its message.
func checkErrors(t *testing.T, html string, fields []string) {
	t.Helper()
	summary := summaryRE.FindString(html)
	if len(fields) == 0 {
		return
	}
	if summary == "" {
		t.Fatal("errors given, but no error summary")
	}
	if open, _, _ := strings.Cut(summary, ">"); !strings.Contains(open, `tabindex="-1"`) {
		t.Error("the error summary cannot take the focus")
	}
	var links []string
	for _, m := range hrefHashRE.FindAllStringSubmatch(summary, -1) {
		links = append(links, m[1])
	}
	if strings.Join(links, " ") != strings.Join(fields, " ") {
		t.Errorf("the summary links to %q, want %q", links, fields)
	}
	inputs := map[string]string{}
	for _, in := range inputRE.FindAllString(html, -1) {
		if id := idRE.FindStringSubmatch(in); id != nil {
			inputs[id[1]] = in
		}
	}
	for _, f := range fields {
		in, ok := inputs[f]
		if !ok {
			t.Errorf("the summary links to #%s, but there is no input with that id", f)
			continue
		}
		if !strings.Contains(in, `aria-invalid="true"`) {
			t.Errorf("input #%s in error lacks aria-invalid: %s", f, in)
		}
		if !strings.Contains(html, `id="`+f+`-error"`) {
			t.Errorf("no error message #%s-error at the field", f)
		}
		if !strings.Contains(html, `<div class="form-group form-error">`) {
			t.Errorf("no form-group in error for #%s", f)
		}
	}
}

// TestSecretsAreNeverRefilled: passwords and one-time codes typed into a form that failed are
// not sent back in the page, even when a handler puts them into Form.Values.
func TestSecretsAreNeverRefilled(t *testing.T) {
	cat := loadCatalog(t)
	f := views.Form{Values: map[string]string{"password": "hemmelig-kode", "password_repeat": "hemmelig-kode", "code": "918273"}}
	for name, c := range map[string]templ.Component{
		"login-code":      views.LoginCode(views.LoginCodeView{Form: f}),
		"login-chip":      views.LoginChip(views.LoginChipView{Form: f}),
		"create-user":     views.CreateUser(views.CreateUserView{Form: f}),
		"create-token":    views.CreateToken(views.CreateTokenView{Form: f}),
		"add-token":       views.AddToken(views.AddTokenView{Form: f}),
		"change-password": views.ChangePassword(views.ChangePasswordView{Form: f}),
	} {
		html := render(t, cat, "da", false, c)
		if strings.Contains(html, "hemmelig-kode") {
			t.Errorf("%s shows a typed password again", name)
		}
		if strings.Contains(html, "918273") {
			t.Errorf("%s shows a typed one-time code again", name)
		}
	}
}

func TestDemoLetterLinkOnlyInDemoMode(t *testing.T) {
	cat := loadCatalog(t)
	c := views.Activate(views.ActivateView{Sent: true})
	if html := render(t, cat, "da", false, c); strings.Contains(html, "/demo/post") {
		t.Error("the activation code page links to the demo mailbox outside demo mode")
	}
	if html := render(t, cat, "da", true, c); !strings.Contains(html, `href="/demo/post"`) {
		t.Error("the activation code page lacks the demo mailbox link in demo mode")
	}
}

func TestThrottledPluralForms(t *testing.T) {
	cat := loadCatalog(t)
	one := render(t, cat, "da", false, views.Throttled(views.ThrottledView{Minutes: 1}))
	many := render(t, cat, "da", false, views.Throttled(views.ThrottledView{Minutes: 5}))
	if !strings.Contains(one, "1 minut,") || !strings.Contains(many, "5 minutter,") {
		t.Errorf("throttled messages: %q / %q", regexp.MustCompile(`data-testid="throttled">[^<]*`).FindString(one),
			regexp.MustCompile(`data-testid="throttled">[^<]*`).FindString(many))
	}
}

func TestFormHelpers(t *testing.T) {
	f := views.Form{
		Errors: []views.FieldError{{Field: "a", MsgID: "x.one"}, {Field: "a", MsgID: "x.two"}, {Field: "b", MsgID: "x.three"}},
		Values: map[string]string{"a": "1"},
	}
	if e := f.ErrorFor("a"); e == nil || e.MsgID != "x.one" {
		t.Errorf("ErrorFor(a) = %v, want the first error of a", e)
	}
	if e := f.ErrorFor("c"); e != nil {
		t.Errorf("ErrorFor(c) = %v, want nil", e)
	}
	if f.Value("a") != "1" || f.Value("b") != "" || (views.Form{}).Value("a") != "" {
		t.Error("Value does not return the typed values")
	}
	if !f.HasErrors() || (views.Form{}).HasErrors() {
		t.Error("HasErrors is wrong")
	}
}

// TestItemIcons: an item without a thumbnail shows its type's icon, one drawing per family of
// types, hidden from screen readers (the type's name is written beside it).
func TestItemIcons(t *testing.T) {
	for kind, want := range map[string]string{"film_guide": "<rect", "poster": "<circle", "social_media": "<circle",
		"qa": ">?</text>", "flyer": "M16 21", "step_guide": "M16 21"} {
		t.Run(kind, func(t *testing.T) {
			var buf bytes.Buffer
			if err := views.ItemIcon("campaign.item_kind."+kind, 48).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			if !strings.Contains(html, want) || !strings.Contains(html, `aria-hidden="true"`) ||
				!strings.Contains(html, `data-testid="item-icon-`+kind+`"`) {
				t.Errorf("icon of %s: %s", kind, html)
			}
		})
	}
}

// TestText: @Text(s) writes what templ's `{ s }` writes (the HTML escapes of <, >, &, and
// both quotes; anything else as is), and a string without anything to escape allocates
// nothing, which is what it is for.
func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Anna Testesen", "Anna Testesen"},
		{`<script>alert("x")</script>`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
		{`Tom & Jerry's`, "Tom &amp; Jerry&#39;s"},
		{"påskedag – 2. pinsedag", "påskedag – 2. pinsedag"},
		{"&amp;", "&amp;amp;"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var buf bytes.Buffer
			if err := views.Text(tc.in).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Errorf("Text(%q) wrote %q, want %q", tc.in, buf.String(), tc.want)
			}
			// What the code templ generates for `{ s }` writes.
			s, _ := templ.JoinStringErrs(tc.in)
			if templ.EscapeString(s) != buf.String() {
				t.Errorf("Text(%q) wrote %q, templ's { s } writes %q", tc.in, buf.String(), templ.EscapeString(s))
			}
		})
	}
	var buf bytes.Buffer
	buf.Grow(1 << 10)
	if n := testing.AllocsPerRun(100, func() {
		buf.Reset()
		_ = views.Text("Logget ind som Anna Testesen").Render(context.Background(), &buf)
	}); n != 0 {
		t.Errorf("Text allocates %v times, want 0", n)
	}
}
