package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/campaign/site"
	"mitidportal/identity"
)

// selectedCitizen is a citizen with a MitID whose bank selected them daysAgo days before the
// env clock's now, logged in.
func selectedCitizen(t *testing.T, env *apptest.Env, clock *apptest.Clock, daysAgo int) (identity.MitID, *browser) {
	t.Helper()
	m := env.NewCitizen(t)
	at := clock.Now().Add(-time.Duration(daysAgo) * 24 * time.Hour)
	if err := env.App.Persons.SelectForNemIDMove(context.Background(), m.CPR, at); err != nil {
		t.Fatal(err)
	}
	return m, citizenBrowser(t, env, m)
}

// deadlineIn is the deadline (dd-mm-åååå) of a selection daysAgo days before now, extended by
// extra days.
func deadlineIn(now time.Time, daysAgo, extra int) string {
	return identity.CopenhagenDate(now).AddDate(0, 0, identity.NemIDSelectionDays-daysAgo+extra).Format("02-01-2006")
}

// TestNemIDStatusPages: a selected citizen sees the deadline and the days left on /mitid and on
// /mitid/nemid in both languages, and those GETs write nothing; one extension moves the
// deadline and shows the receipt; the second is refused with the field-less error summary; once
// the clock passes the deadline the page says whom to contact and the extension is refused. A
// citizen who is not selected sees no box and is refused an extension.
func TestNemIDStatusPages(t *testing.T) {
	t.Parallel()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	m, b := selectedCitizen(t, env, clock, 12)
	deadline := deadlineIn(clock.Now(), 12, 0)
	cat := mustCatalog(t)

	before := tableRows(t, env)
	for _, tt := range []struct{ path, lang, days string }{
		{"/mitid?lang=da", "da", "Der er 18 dage tilbage."},
		{"/mitid?lang=en", "en", "There are 18 days left."},
		{"/mitid/nemid?lang=da", "da", "Der er 18 dage tilbage."},
		{"/mitid/nemid?lang=en", "en", "There are 18 days left."},
	} {
		t.Run("GET "+tt.path, func(t *testing.T) {
			body := b.page(t, tt.path)
			for _, want := range []string{`data-testid="nemid-status"`, `data-testid="nemid-deadline">` + deadline + `<`, tt.days,
				`action="/mitid/nemid/forlaeng"`, `href="/kampagne/saadan-faar-du-mitid"`,
				cat.For(tt.lang).T("nemid.box.heading")} {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %q", tt.path, want)
				}
			}
		})
	}
	b.page(t, "/mitid/nemid?done=forlaenget") // a receipt link for nothing granted
	wantNoNewRows(t, "GETs of the NemID status", before, tableRows(t, env))

	t.Run("extend once", func(t *testing.T) {
		res, _ := b.post(t, "/mitid/nemid/forlaeng", url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mitid/nemid?done=forlaenget" {
			t.Fatalf("extend: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		body := b.page(t, "/mitid/nemid?done=forlaenget&lang=da")
		newDeadline := deadlineIn(clock.Now(), 12, identity.DefaultNemIDExtensionDays)
		for _, want := range []string{`data-testid="notice"`, `data-testid="nemid-deadline">` + newDeadline + `<`,
			"Der er 48 dage tilbage.", `data-testid="nemid-extended"`} {
			if !strings.Contains(body, want) {
				t.Errorf("receipt lacks %q", want)
			}
		}
		if strings.Contains(body, `action="/mitid/nemid/forlaeng"`) {
			t.Error("the extension is still offered")
		}
		if n := count(t, env, `SELECT count(*) FROM activity WHERE mitid_id = $1 AND kind = 'nemid_extended'`, m.ID); n != 1 {
			t.Errorf("%d activity entries", n)
		}
	})
	t.Run("second refused", func(t *testing.T) {
		for _, lang := range []string{"da", "en"} {
			res, body := b.post(t, "/mitid/nemid/forlaeng?lang="+lang, url.Values{})
			if res.StatusCode != http.StatusConflict {
				t.Errorf("%s: second extension: %d", lang, res.StatusCode)
			}
			msg := cat.For(lang).T(identity.ErrNemIDAlreadyExtended.MsgID)
			if !strings.Contains(body, `data-testid="error-summary"`) || !strings.Contains(body, msg) {
				t.Errorf("%s: no error summary with %q", lang, msg)
			}
		}
	})
	t.Run("without CSRF", func(t *testing.T) {
		fresh, fb := selectedCitizen(t, env, clock, 1)
		fb.csrf = "wrong"
		if res, _ := fb.post(t, "/mitid/nemid/forlaeng", url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged POST: %d", res.StatusCode)
		}
		if st, _ := env.App.Identity.NemIDStatusOf(context.Background(), fresh.ID); st.Extended {
			t.Error("a forged POST extended the deadline")
		}
	})
	t.Run("100 parallel", func(t *testing.T) {
		_, pb := selectedCitizen(t, env, clock, 3)
		codes := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() {
				res, err := pb.postForm("/mitid/nemid/forlaeng", url.Values{})()
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				codes[res.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[http.StatusSeeOther] != 1 || codes[http.StatusConflict] != 99 {
			t.Errorf("answers %v, want one 303 and 99 409", codes)
		}
	})
	t.Run("not selected", func(t *testing.T) {
		plain := citizenBrowser(t, env, env.NewCitizen(t))
		if body := plain.page(t, "/mitid"); strings.Contains(body, `data-testid="nemid-status"`) {
			t.Error("the box shows for a citizen who is not selected")
		}
		if body := plain.page(t, "/mitid/nemid"); !strings.Contains(body, cat.For("da").T("nemid.state.none")) {
			t.Error("the page does not explain the state")
		}
		res, body := plain.post(t, "/mitid/nemid/forlaeng", url.Values{})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, cat.For("da").T(identity.ErrNemIDNotSelected.MsgID)) {
			t.Errorf("not selected: %d", res.StatusCode)
		}
	})
	t.Run("past the deadline", func(t *testing.T) {
		_, late := selectedCitizen(t, env, clock, 0)
		clock.Advance(31 * 24 * time.Hour)
		body := late.page(t, "/mitid")
		if !strings.Contains(body, `data-testid="nemid-past"`) || !strings.Contains(body, "33 98 00 10") ||
			strings.Contains(body, `action="/mitid/nemid/forlaeng"`) {
			t.Error("past the deadline, the overview does not say whom to contact, or still offers the extension")
		}
		res, body := late.post(t, "/mitid/nemid/forlaeng?lang=en", url.Values{})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, cat.For("en").T(identity.ErrNemIDDeadlinePassed.MsgID)) {
			t.Errorf("after the deadline: %d", res.StatusCode)
		}
	})
}

// TestNemIDBoxOnHowToPage: the campaign's page on getting MitID shows a selected citizen their
// deadline and the extension, and shows nobody else a box.
func TestNemIDBoxOnHowToPage(t *testing.T) {
	t.Parallel()
	clock := &apptest.Clock{}
	env := apptest.New(t, apptest.Options{Clock: clock})
	editor, _, err := env.App.Server.Staff.Create(context.Background(), "sider@styrelsen.dk", "Sif Sider", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Seed(context.Background(), env.App.Pages, editor.ID, clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, selected := selectedCitizen(t, env, clock, 12)
	other := citizenBrowser(t, env, env.NewCitizen(t))
	anon := newBrowser(t, env, nil, "")
	const page = "/kampagne/saadan-faar-du-mitid"
	for _, lang := range []string{"da", "en"} {
		if body := selected.page(t, page+"?lang="+lang); !strings.Contains(body, `data-testid="nemid-status"`) ||
			!strings.Contains(body, `data-testid="nemid-deadline">`+deadlineIn(clock.Now(), 12, 0)+`<`) ||
			!strings.Contains(body, `data-testid="site-body"`) {
			t.Errorf("%s (%s): the selected citizen does not see the page with their deadline", page, lang)
		}
		for who, b := range map[string]*browser{"a citizen who is not selected": other, "a visitor": anon} {
			if body := b.page(t, page+"?lang="+lang); strings.Contains(body, `data-testid="nemid-status"`) ||
				!strings.Contains(body, `data-testid="site-body"`) {
				t.Errorf("%s (%s) as %s: want the page without a deadline box", page, lang, who)
			}
		}
	}
	if body := selected.page(t, "/kampagne/hvorfor"); strings.Contains(body, `data-testid="nemid-status"`) {
		t.Error("the deadline box is on another campaign page too")
	}
}
