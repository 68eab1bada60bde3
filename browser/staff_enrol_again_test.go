package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
)

// TestStaffEnrolAgainAfterALostLink walks a new enrolment link in both languages: a colleague's
// first link was lost; the admin makes a new one on the colleague's page, which shows it once;
// the lost link no longer opens; the colleague enrols with the new link and a virtual security
// key in a browser of their own, logs out and logs in with password and key. Then the key is
// lost: the admin makes another link with the box ticked, and the colleague's next request is
// logged out, nor do password and key log in again. axe checks the admin's page with the form
// and with each link shown.
func TestStaffEnrolAgainAfterALostLink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			a := newTab(t)
			desktopWindow(t, a)
			adminProblems := pageProblems(t, a)
			loginStaffInTab(t, a, env, "admin-igen-"+lang+"@styrelsen.dk", "Ada Admin "+lang, "admin")

			email := "kollega-" + lang + "@styrelsen.dk"
			colleague, lost, err := env.App.Server.Staff.Create(ctx, email, "Kim Kollega "+lang, []string{"agent"})
			if err != nil {
				t.Fatal(err)
			}
			userPath := "/medarbejder/admin/brugere/" + strconv.FormatInt(colleague.ID, 10)

			// The admin finds the colleague and makes a new link, shown once.
			navigate(t, a, withLang(env.URL+"/medarbejder/admin/brugere", lang))
			click(t, a, `a[href="`+userPath+`"]`)
			wantPath(t, a, userPath)
			checkAxe(t, a, userPath+" with the new-link form ("+lang+")")
			click(t, a, `[data-testid="staff-enrol-link-submit"]`)
			link := eval[string](t, a, `(document.querySelector('[data-testid="enrolment-link"]') || {}).value || ''`)
			if !strings.HasPrefix(link, env.URL+"/medarbejder/tilmeld/") || strings.HasSuffix(link, lost) {
				t.Fatalf("no new enrolment link on the colleague's page; it says: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, userPath+" with a new enrolment link ("+lang+")")

			// The colleague's browser: the lost link no longer opens; the new one enrols.
			b := newTab(t)
			colleagueProblems := pageProblems(t, b)
			addSecurityKey(t, b)
			lostLink := env.URL + "/medarbejder/tilmeld/" + lost
			if res := navigate(t, b, withLang(lostLink, lang)); res.Status != 404 || !has(t, b, `[data-testid="enrol-invalid"]`) {
				t.Errorf("the lost link: status %d, page says %s", res.Status, clip(mainText(t, b), 300))
			}
			enrolStaffInBrowser(t, b, link, lang, "colleague")
			logOut(t, b)
			logInStaff(t, b, env.URL, email, lang)
			if got := mainText(t, b); !strings.Contains(got, colleague.Name) {
				t.Errorf("the start page after login does not greet %q: %s", colleague.Name, clip(got, 300))
			}

			// The key is lost: a new link with the box ticked logs the colleague out.
			navigate(t, a, withLang(env.URL+userPath, lang))
			chooseFirst(t, a, `#replace_keys`)
			click(t, a, `[data-testid="staff-enrol-link-submit"]`)
			if !has(t, a, `[data-testid="staff-keys-removed"]`) || !has(t, a, `[data-testid="enrolment-link"]`) {
				t.Errorf("after a new link for a lost key the page says: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, userPath+" with a new link for a lost key ("+lang+")")
			navigate(t, b, withLang(env.URL+"/medarbejder", lang))
			if currentPath(t, b) != "/medarbejder/log-ind" {
				t.Errorf("the colleague's next request after the key was removed: on %s", currentPath(t, b))
			}
			fill(t, b, "#email", email)
			fill(t, b, "#password", staffTestPassword)
			click(t, b, `[data-testid="staff-login-submit"]`)
			wantErrorSummary(t, b, "a login after the key was removed")

			staffProblems(t, adminProblems())
			var others []pageProblem
			for _, p := range colleagueProblems() {
				if !(p.Kind == "network" && strings.Contains(p.Text, "status of 404") && strings.HasPrefix(p.URL, lostLink)) {
					others = append(others, p)
				}
			}
			staffProblems(t, others)
		})
	}
}

// logInStaff logs in at the staff login in lang with email, staffTestPassword and the tab's
// virtual security key, and waits for the staff start page.
func logInStaff(t testing.TB, ctx context.Context, baseURL, email, lang string) {
	t.Helper()
	navigate(t, ctx, withLang(baseURL+"/medarbejder/log-ind", lang))
	fill(t, ctx, "#email", email)
	fill(t, ctx, "#password", staffTestPassword)
	click(t, ctx, `[data-testid="staff-login-submit"]`)
	wantPath(t, ctx, "/medarbejder/log-ind/noegle")
	submitChip(t, ctx, "staff-key-login")
	waitFor(t, ctx, `location.pathname === '/medarbejder'`, ceremonyTimeout)
}
