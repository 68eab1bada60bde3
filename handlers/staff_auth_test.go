package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/staff"
)

// staffPassword is the password the staff of these tests choose.
const staffPassword = "Fyrtaarn-Rugbroed-Kanal-9"

// post sends fields as a form with the browser's CSRF token and returns the answer and its body.
func (b *browser) post(t *testing.T, path string, fields url.Values) (*http.Response, string) {
	t.Helper()
	fields.Set("csrf_token", b.csrf)
	res, err := b.client.PostForm(b.env.URL+path, fields)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// get requests path and returns the answer's status and its redirect target.
func (b *browser) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := b.client.Get(b.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// enrolStaff walks the enrolment of a new account with roles over HTTP: the link, the password
// and a software security key. It returns the account, the key, and the browser, which is
// logged in afterwards.
func enrolStaff(t *testing.T, env *apptest.Env, email string, roles ...string) (staff.User, *softKey, *browser) {
	t.Helper()
	u, token, err := env.App.Server.Staff.Create(context.Background(), email, "Medarbejder "+email, roles)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, nil, "")
	b.page(t, "/medarbejder/tilmeld/"+token)
	if res, _ := b.post(t, "/medarbejder/tilmeld/"+token, url.Values{"password": {staffPassword}, "password_repeat": {staffPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password step: %d", res.StatusCode)
	}
	key := newSoftKey(t)
	b.page(t, "/medarbejder/tilmeld/noegle")
	o := b.begin(t, "/medarbejder/tilmeld/noegle/begin", map[string]string{})
	status, out := b.json(t, "/medarbejder/tilmeld/noegle/finish", key.create(t, o, env.URL))
	wantAnswer(t, "enrolment key", status, out, http.StatusOK, "redirect", "/medarbejder")
	return u, key, b
}

// TestStaffEnrolmentOverHTTP: the link leads to the password and then the key; only both
// together use the link up, and then the staff member is logged in.
func TestStaffEnrolmentOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	ctx := context.Background()
	u, token, err := env.App.Server.Staff.Create(ctx, "ada.lovelace@styrelsen.dk", "Ada Lovelace", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, nil, "")
	if status, _ := b.get(t, "/medarbejder/tilmeld/forkert"); status != http.StatusNotFound {
		t.Errorf("an unknown token: %d, want 404", status)
	}
	if status, _ := b.get(t, "/medarbejder/tilmeld/noegle"); status != http.StatusSeeOther {
		t.Errorf("the key step before the link: %d, want 303", status)
	}
	// The link's GET shows the password form, posting back to the link, and ties nothing to
	// the session: the session-bound page does not know the enrolment yet.
	link := "/medarbejder/tilmeld/" + token
	if body := b.page(t, link); !strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, `action="`+link+`"`) {
		t.Errorf("the enrolment page does not greet the new staff member or post to the link:\n%s", body)
	}
	if status, _ := b.get(t, "/medarbejder/tilmeld"); status != http.StatusNotFound {
		t.Errorf("after the link's GET the session knows the enrolment: %d, want 404", status)
	}
	// A key before a password: no ceremony.
	status, out := b.json(t, "/medarbejder/tilmeld/noegle/begin", []byte(`{}`))
	wantAnswer(t, "key before password", status, out, http.StatusOK, "redirect", "/medarbejder/tilmeld")

	for _, tt := range []struct{ name, password, repeat, want string }{
		{"empty", "", "", "staffweb.err.new_password_required"},
		{"not the same", staffPassword, staffPassword + "x", "staffweb.err.password_mismatch"},
		{"the address's name", "Ada.Lovelace-1815", "Ada.Lovelace-1815", staff.ErrPasswordHasEmail.MsgID},
		{"common", "adgangskode123", "adgangskode123", staff.ErrPasswordCommon.MsgID},
	} {
		res, body := b.post(t, link, url.Values{"password": {tt.password}, "password_repeat": {tt.repeat}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tr.T(tt.want)) {
			t.Errorf("password %s: %d, want 422 with %q", tt.name, res.StatusCode, tr.T(tt.want))
		}
	}
	if res, _ := b.post(t, link, url.Values{"password": {staffPassword}, "password_repeat": {staffPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password step: %d", res.StatusCode)
	}
	if got, _ := env.App.Server.Staff.ByID(ctx, u.ID); got.Enrolled {
		t.Fatal("the password was stored before the key was registered")
	}

	raw, _ := json.Marshal(map[string]string{})
	status, out = b.json(t, "/medarbejder/tilmeld/noegle/begin", raw)
	var opts struct {
		PublicKey struct {
			User        struct{ ID string }
			Attestation string `json:"attestation"`
			AuthSel     struct {
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
		} `json:"publicKey"`
	}
	rawOpts, _ := json.Marshal(out)
	_ = json.Unmarshal(rawOpts, &opts)
	handle, _ := b64.DecodeString(opts.PublicKey.User.ID)
	if status != http.StatusOK || opts.PublicKey.AuthSel.UserVerification != "required" ||
		(opts.PublicKey.Attestation != "" && opts.PublicKey.Attestation != "none") || !strings.HasPrefix(string(handle), "staff:") {
		t.Fatalf("registration options: %d %s", status, out)
	}
	o := b.begin(t, "/medarbejder/tilmeld/noegle/begin", map[string]string{})
	key := newSoftKey(t)
	answer := key.create(t, o, env.URL)
	status, out = b.json(t, "/medarbejder/tilmeld/noegle/finish", answer)
	wantAnswer(t, "register", status, out, http.StatusOK, "redirect", "/medarbejder")
	if body := b.page(t, "/medarbejder"); !strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, "/medarbejder/admin/brugere") {
		t.Errorf("after enrolment the start page does not show the admin's name and pages:\n%s", body)
	}
	got, _ := env.App.Server.Staff.ByID(ctx, u.ID)
	if got.Status() != staff.StatusActive || got.Keys != 1 {
		t.Errorf("after enrolment: %+v", got)
	}

	// The link is used up, in this browser and any other.
	status, out = b.json(t, "/medarbejder/tilmeld/noegle/finish", answer)
	wantAnswer(t, "replayed registration", status, out, http.StatusOK, "redirect", "/medarbejder/tilmeld")
	if status, _ := newBrowser(t, env, nil, "").get(t, "/medarbejder/tilmeld/"+token); status != http.StatusNotFound {
		t.Errorf("the used link: %d, want 404", status)
	}
}

// TestStaffLoginOverHTTP: password, then key; failures never tell whether an address exists,
// count against the account, and a wrong key does not log in.
func TestStaffLoginOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	u, key, _ := enrolStaff(t, env, "bo@styrelsen.dk", "agent")

	b := newBrowser(t, env, nil, "")
	if status, _ := b.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("the start page without login: %d, want 303 to the staff login", status)
	}
	b.page(t, "/medarbejder/log-ind")
	failed := tr.T(staff.ErrLoginFailed.MsgID)
	for _, tt := range []struct{ name, email, password string }{
		{"wrong password", u.Email, staffPassword + "x"},
		{"unknown address", "nobody@styrelsen.dk", staffPassword},
	} {
		res, body := b.post(t, "/medarbejder/log-ind", url.Values{"email": {tt.email}, "password": {tt.password}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, failed) {
			t.Errorf("%s: %d, want 422 with %q", tt.name, res.StatusCode, failed)
		}
	}
	status, out := b.json(t, "/medarbejder/log-ind/noegle/begin", []byte(`{}`))
	wantAnswer(t, "key before password", status, out, http.StatusOK, "redirect", "/medarbejder/log-ind")

	login := func() *browser {
		t.Helper()
		b := newBrowser(t, env, nil, "")
		b.page(t, "/medarbejder/log-ind")
		res, _ := b.post(t, "/medarbejder/log-ind", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {staffPassword}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/medarbejder/log-ind/noegle" {
			t.Fatalf("password step: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		b.page(t, "/medarbejder/log-ind/noegle")
		return b
	}

	// Another key than the account's: refused, counted, and not logged in.
	b = login()
	o := b.begin(t, "/medarbejder/log-ind/noegle/begin", map[string]string{})
	if len(o.PublicKey.AllowCredentials) != 1 || o.PublicKey.AllowCredentials[0].ID != b64.EncodeToString(key.credID) ||
		o.PublicKey.UserVerification != "required" {
		t.Fatalf("login options: %+v", o.PublicKey)
	}
	status, out = b.json(t, "/medarbejder/log-ind/noegle/finish", newSoftKey(t).get(t, o, env.URL))
	wantAnswer(t, "another key", status, out, http.StatusBadRequest, "error", tr.T("staffweb.key.not_accepted"))
	if status, _ := b.get(t, "/medarbejder"); status != http.StatusSeeOther {
		t.Errorf("after a refused key: %d, want 303 to the staff login", status)
	}

	b = login()
	o = b.begin(t, "/medarbejder/log-ind/noegle/begin", map[string]string{})
	answer := key.get(t, o, env.URL)
	status, out = b.json(t, "/medarbejder/log-ind/noegle/finish", answer)
	wantAnswer(t, "login", status, out, http.StatusOK, "redirect", "/medarbejder")
	if body := b.page(t, "/medarbejder"); !strings.Contains(body, u.Name) || !strings.Contains(body, tr.T("staffweb.role.agent")) {
		t.Errorf("the start page does not show the agent's name and role:\n%s", body)
	}
	if status, _ := b.get(t, "/medarbejder/admin/brugere"); status != http.StatusForbidden {
		t.Errorf("an agent on the admin page: %d, want 403", status)
	}
	if status, _ := b.get(t, "/mitid"); status != http.StatusForbidden {
		t.Errorf("staff on the citizen pages: %d, want 403", status)
	}

	// The same answer again in a new login: the challenge differs, so it does not verify.
	b = login()
	b.begin(t, "/medarbejder/log-ind/noegle/begin", map[string]string{})
	status, out = b.json(t, "/medarbejder/log-ind/noegle/finish", answer)
	wantAnswer(t, "replayed assertion", status, out, http.StatusBadRequest, "error", tr.T("staffweb.key.not_accepted"))
}
