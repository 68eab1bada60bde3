package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// TestCPRWithSpaceOrDash: the forms where a CPR number is typed take it as it is printed, with
// a dash or a space, and with spaces around: /opret matches the person (and then says the
// MitID exists), /spaer blocks the MitID.
func TestCPRWithSpaceOrDash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	forms := func(cpr identity.CPR) map[string]string {
		s := string(cpr)
		return map[string]string{"space": s[:6] + " " + s[6:], "dash": s[:6] + "-" + s[6:], "spaces around": " " + s + " "}
	}
	for name := range forms("0101901234") {
		t.Run(name, func(t *testing.T) {
			m := env.NewCitizen(t)
			// The generator leaves some people without an ID document, which /opret asks for.
			if _, err := env.App.Pool.Exec(ctx, `UPDATE person SET id_document_number = '123456789'
				WHERE cpr = $1 AND coalesce(id_document_number, '') = ''`, string(m.CPR)); err != nil {
				t.Fatal(err)
			}
			p, err := env.App.Persons.ByCPR(ctx, m.CPR)
			if err != nil {
				t.Fatal(err)
			}
			typed := forms(m.CPR)[name]
			b := newBrowser(t, env, nil, "")
			b.page(t, "/opret")
			res, body := b.post(t, "/opret", url.Values{"cpr": {typed}, "name": {p.FullName()}, "document": {p.IDDocumentNumber}})
			// Matched: the person's MitID (password only, as NewCitizen makes it) never finished
			// its creation, so a new letter starts it over and the browser goes on to the code.
			matched := res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/opret/kode"
			if strings.Contains(body, tr.T(identity.ErrCPRInvalid.MsgID)) || !matched {
				t.Errorf("/opret with %q: %d to %q, not matched to the person", typed, res.StatusCode, res.Header.Get("Location"))
			}
			b.page(t, "/spaer")
			res, _ = b.post(t, "/spaer", url.Values{"username": {m.Username}, "cpr": {typed}, "reason": {"lost"}, "consent": {"yes"}})
			if res.StatusCode != http.StatusOK {
				t.Errorf("/spaer with %q: %d", typed, res.StatusCode)
			}
			if got, _ := env.App.Identity.MitID(ctx, m.ID); got.Status != identity.StatusBlocked {
				t.Errorf("/spaer with %q left the MitID %s", typed, got.Status)
			}
		})
	}
}
