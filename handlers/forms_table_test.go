package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The table over all forms (issue 14): every form a person fills in answers a wrong field with
// the DKFDS error summary, a link in it to the field, the message at the field, all in the
// page's language, and writes nothing.

// formLangs are the portal's languages; each form is tried in both.
var formLangs = []string{"da", "en"}

// formCase is one form of the table, ready to submit: its paths, its fields, a browser per
// language that has shown the form, and valid values of the form's other fields.
type formCase struct {
	route, post, get string
	fields           []string
	valid            url.Values
	bad, alone       map[string]string
	elsewhere        map[string]string
	browsers         map[string]*browser
	upload           string // a streamed upload's valid file (formEntry.upload), "" for a plain form
}

// wrongFiles are what a streamed upload's file field is wrong with, each tried alone and with
// every other field wrong (the handler then reads the file's first bytes for the domain's
// sniff, so its error shows with the others, and stores nothing).
var wrongFiles = []struct{ name, content string }{
	{"none", noFile}, {"empty", ""}, {"type", "Dette er ikke en PDF og intet billede"},
}

// TestEveryFormShowsTheErrorSummary submits every form of the portal once per field with only
// that field wrong (the others valid) and once with every field wrong, in Danish and in
// English, from the page that shows the form and with its CSRF token. Each answer is 422 with
// the error summary linking to exactly the wrong fields, each link's target is a field that
// carries its message (aria-describedby), the message differs between the languages, and
// nothing is written. A POST route that takes fields and has no row here fails the test.
func TestEveryFormShowsTheErrorSummary(t *testing.T) {
	t.Parallel()
	fx := newInputFixture(t)
	entries, rows := formEntries(), formRows()

	// Every POST route is a row here, or has no field a person types (formEntries says why:
	// a button, a JSON or WebAuthn endpoint), or is one of notFormPosts.
	var forms []formCase
	routes := map[string]bool{}
	for _, r := range fx.env.App.Server.Routes() {
		if r.Method != http.MethodPost {
			continue
		}
		routes[r.Path] = true
		e, inInput := entries[r.Path]
		row, ok := rows[r.Path]
		why, notForm := notFormPosts[r.Path]
		switch {
		case ok && notForm:
			t.Errorf("POST %s is a row and in notFormPosts (%s): which is it?", r.Path, why)
		case !ok && (notForm || (inInput && (e.none != "" || e.json))):
		case !ok:
			t.Errorf("POST %s takes fields but has no row in formRows: add its page and an invalid value of each field", r.Path)
		case !inInput || e.json || len(e.fields) == 0:
			t.Errorf("POST %s: a row here needs the route's fields in formEntries (input_test.go)", r.Path)
		default:
			// The fixtures' lazy parts are made and the pages shown here, one form after
			// another, before the rows run in parallel: they write (a look-up's audit entry, a
			// fixture's rows), which would change the database under another row's check.
			forms = append(forms, prepareForm(t, fx, r.Path, e, row))
		}
	}
	for path := range rows {
		if !routes[path] {
			t.Errorf("formRows has %s, which is no POST route", path)
		}
	}
	for path := range notFormPosts {
		if !routes[path] {
			t.Errorf("notFormPosts has %s, which is no POST route", path)
		}
	}
	if len(forms) < 50 {
		t.Fatalf("only %d forms: the table no longer sees the portal's forms", len(forms))
	}
	for _, fc := range forms {
		t.Run(fc.route, func(t *testing.T) {
			t.Parallel()
			fc.run(t, fx)
		})
	}
}

// prepareForm makes the browsers of a form in both languages, shows them the form and checks
// that it has the fields; the form's hidden fields become valid values.
func prepareForm(t *testing.T, fx *inputFixture, route string, e formEntry, row formRow) formCase {
	t.Helper()
	fc := formCase{route: route, post: route, bad: row.bad, alone: row.alone, elsewhere: row.elsewhere, valid: url.Values{},
		browsers: map[string]*browser{}, upload: e.upload}
	if e.upload != "" {
		row.more = append(row.more, "file") // wrong as wrongFiles say
	}
	if e.path != nil {
		fc.post = e.path(fx)
	}
	fc.get = fc.post
	if row.up > 0 {
		segs := strings.Split(fc.post, "/")
		fc.get = strings.Join(segs[:len(segs)-row.up], "/")
	}
	if row.get != "" {
		fc.get = row.get
	}
	if row.action != "" {
		fc.post = row.action
	}
	for _, f := range append(slices.Clone(e.fields), row.more...) {
		if _, skip := row.hidden[f]; !skip {
			fc.fields = append(fc.fields, f)
		}
	}
	for k, vs := range e.valid {
		fc.valid[k] = slices.Clone(vs)
	}
	for k, v := range row.valid {
		fc.valid.Set(k, v)
	}
	if row.validOf != nil {
		for k, v := range row.validOf(fx) {
			fc.valid.Set(k, v)
		}
	}
	as := e.as
	if row.as != nil {
		as = row.as
	}
	u, _ := url.Parse(fx.env.URL)
	for _, lang := range formLangs {
		b := as(fx, t)
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
		fc.browsers[lang] = b
		if row.before != nil {
			row.before(fx, t, b)
		}
		form := formPosting(b.formPage(t, fc.get, row.show), fc.post)
		if form == "" {
			t.Errorf("%s (%s): %s shows no form that posts to %s", route, lang, fc.get, fc.post)
		}
		for _, f := range fc.fields {
			if !strings.Contains(form, `name="`+f+`"`) {
				t.Errorf("%s (%s): the form on %s has no field %q", route, lang, fc.get, f)
			}
		}
		seen := map[string]bool{}
		for _, m := range formControl.FindAllStringSubmatch(form, -1) {
			// A streamed upload's file field is the row's (formEntry.upload, wrongFiles).
			typ, name := attr(m[2], "type"), attr(m[2], "name")
			if typ == "hidden" || typ == "submit" || typ == "button" || typ == "file" || name == "" || seen[name] {
				continue
			}
			seen[name] = true
			if !slices.Contains(fc.fields, name) && row.hidden[name] == "" && row.untested[name] == "" {
				t.Errorf("%s (%s): the form's field %q is not in the table: add it (formEntries or the row's more), or say why not", route, lang, name)
			}
		}
		for _, m := range hiddenInput.FindAllStringSubmatch(form, -1) {
			if name := m[1]; name != "csrf_token" && fc.valid[name] == nil && !slices.Contains(fc.fields, name) {
				fc.valid.Set(name, html.UnescapeString(m[2]))
			}
		}
	}
	return fc
}

// run submits the form with each field wrong alone and with all wrong, in both languages. A
// streamed upload's file is wrong in each of the ways wrongFiles lists, alone and with all.
func (fc formCase) run(t *testing.T, fx *inputFixture) {
	type wrongCase struct {
		name  string
		wrong []string
		file  string
	}
	var cases []wrongCase
	for _, f := range fc.fields {
		if f != "file" || fc.upload == "" {
			cases = append(cases, wrongCase{f, []string{f}, fc.upload})
			continue
		}
		for _, wf := range wrongFiles {
			cases = append(cases, wrongCase{"file " + wf.name, []string{f}, wf.content})
		}
	}
	switch {
	case len(fc.fields) > 1 && fc.upload != "":
		for _, wf := range wrongFiles {
			cases = append(cases, wrongCase{"all, file " + wf.name, fc.fields, wf.content})
		}
	case len(fc.fields) > 1:
		cases = append(cases, wrongCase{"all", fc.fields, noFile})
	}
	for _, wc := range cases {
		want := wc.wrong
		if len(wc.wrong) > 1 {
			// Some fields are checked only when another is right (a release's time, read only
			// when the release is later): the form with all wrong leaves them out.
			want = slices.DeleteFunc(slices.Clone(wc.wrong), func(f string) bool { _, ok := fc.alone[f]; return ok })
		}
		texts := map[string]map[string]string{}
		for _, lang := range formLangs {
			t.Run(wc.name+"/"+lang, func(t *testing.T) {
				fields := url.Values{}
				for k, vs := range fc.valid {
					fields[k] = slices.Clone(vs)
				}
				for _, f := range wc.wrong {
					if f == "file" && fc.upload != "" {
						continue // wc.file
					}
					fields.Set(f, fc.bad[f]) // "" when the row names none: the field is required
					if fc.bad[f] == unticked {
						fields.Del(f)
					}
				}
				before := fx.fingerprint(t)
				res, body := fc.browsers[lang].postFields(t, fc.post, fields, fc.upload, wc.file)
				texts[lang] = checkErrorSummary(t, lang, res.StatusCode, body, want, fc.elsewhere)
				if after := fx.fingerprint(t); after != before {
					t.Errorf("the refused form changed the database:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		for _, f := range want {
			if da, en := texts["da"][f], texts["en"][f]; da != "" && da == en {
				t.Errorf("%s: the message at %s is the same in Danish and English: %q", wc.name, f, da)
			}
		}
	}
}

var (
	summaryLink = regexp.MustCompile(`<a href="#([^"]*)" class="function-link">([^<]*)</a>`)
	htmlLang    = regexp.MustCompile(`<html lang="([a-z]+)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	formControl = regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`)
	formTag     = regexp.MustCompile(`<form\b[^>]*\baction="([^"]*)"[^>]*>`)
)

// checkErrorSummary checks the answer to a form with the fields wrong wrong and returns the
// summary's text for each field.
func checkErrorSummary(t *testing.T, lang string, status int, body string, wrong []string, elsewhere map[string]string) map[string]string {
	t.Helper()
	if status != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422: %.400s", status, strip(body))
	}
	if m := htmlLang.FindStringSubmatch(body); m == nil || m[1] != lang {
		t.Errorf("the page is not in %s: %v", lang, m)
	}
	if strings.Contains(body, "\x00") {
		t.Error("the answer carries a NUL byte")
	}
	const open = `class="alert alert-error" role="alert" tabindex="-1" data-module="error-summary" data-testid="error-summary"`
	i := strings.Index(body, open)
	if i < 0 {
		t.Errorf("no DKFDS error summary (%s): %.400s", open, strip(body))
		return nil
	}
	summary, _, _ := strings.Cut(body[i:], "</ul>")
	texts := map[string]string{}
	var linked []string
	for _, m := range summaryLink.FindAllStringSubmatch(summary, -1) {
		linked = append(linked, m[1])
		texts[m[1]] = m[2]
		if !regexp.MustCompile(`<(input|select|textarea)\b[^>]*\bid="`+regexp.QuoteMeta(m[1])+`"`).MatchString(body) &&
			!(elsewhere[m[1]] != "" && strings.Contains(body, `id="`+m[1]+`" tabindex="-1"`)) {
			t.Errorf("the summary links to #%s, which is no field's id", m[1])
		}
	}
	sort.Strings(linked)
	want := slices.Sorted(slices.Values(wrong))
	if !slices.Equal(slices.Compact(linked), want) {
		t.Errorf("the summary links to %v, want %v", linked, want)
	}
	for _, f := range wrong {
		if !strings.Contains(body, `<span class="form-error-message" id="`+f+`-error">`) {
			t.Errorf("%s has no error message at the field (form-error-message #%s-error)", f, f)
		}
		if !regexp.MustCompile(`aria-describedby="[^"]*\b` + regexp.QuoteMeta(f) + `-error\b`).MatchString(body) {
			t.Errorf("%s: nothing is described by its message (aria-describedby %s-error)", f, f)
		}
	}
	return texts
}
