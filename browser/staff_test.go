package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
)

// staffTestPassword is the password the staff of the browser tests choose.
const staffTestPassword = "Kattegat-Havkajak-Lygte-31"

// enrolStaffInBrowser opens an enrolment link in the tab, chooses the password (once wrongly,
// to see the error summary) and registers the tab's virtual security key, checking each page
// with axe; the enrolment ends logged in on the staff start page.
func enrolStaffInBrowser(t testing.TB, ctx context.Context, link, lang, who string) {
	t.Helper()
	navigate(t, ctx, withLang(link, lang))
	checkAxe(t, ctx, "/medarbejder/tilmeld/{token} ("+who+", "+lang+")")
	fill(t, ctx, "#password", staffTestPassword)
	fill(t, ctx, "#password_repeat", staffTestPassword+"!")
	click(t, ctx, `[data-testid="staff-enrol-submit"]`)
	wantErrorSummary(t, ctx, "passwords that differ")
	checkAxe(t, ctx, "/medarbejder/tilmeld with errors ("+who+", "+lang+")")
	fill(t, ctx, "#password", staffTestPassword)
	fill(t, ctx, "#password_repeat", staffTestPassword)
	click(t, ctx, `[data-testid="staff-enrol-submit"]`)
	wantPath(t, ctx, "/medarbejder/tilmeld/noegle")
	checkAxe(t, ctx, "/medarbejder/tilmeld/noegle ("+who+", "+lang+")")
	submitChip(t, ctx, "staff-key-register")
	waitFor(t, ctx, `location.pathname === '/medarbejder'`, ceremonyTimeout)
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf("the staff start page is in %q, want %q", got, lang)
	}
	checkAxe(t, ctx, "/medarbejder ("+who+", "+lang+")")
}

// staffProblems fails the test for each page problem except the 422 answers of the refused
// forms the test posts on purpose.
func staffProblems(t testing.TB, ps []pageProblem) {
	t.Helper()
	for _, p := range ps {
		if p.Kind == "network" && strings.Contains(p.Text, "status of 422") &&
			(strings.Contains(p.URL, "/medarbejder/tilmeld") || strings.HasSuffix(p.URL, "/medarbejder/log-ind")) {
			continue
		}
		t.Errorf("the pages reported: %s", p)
	}
}

// TestStaffFlowEnrolLogInAndDisable walks the staff side in both languages: an admin made by
// staff.Create enrols (password and virtual security key), logs out, logs in with e-mail,
// password and key, creates an agent on the admin page; the agent enrols in a second browser
// context and is logged in; the admin disables the agent, and the agent's next request is no
// longer logged in. Every staff page is checked with axe.
func TestStaffFlowEnrolLogInAndDisable(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			adminEmail := "admin-" + lang + "@styrelsen.dk"
			admin, token, err := env.App.Server.Staff.Create(ctx, adminEmail, "Ada Admin "+lang, []string{"admin"})
			if err != nil {
				t.Fatal(err)
			}
			a := newTab(t)
			desktopWindow(t, a)
			problems := pageProblems(t, a)
			key := addSecurityKey(t, a)
			enrolStaffInBrowser(t, a, env.URL+"/medarbejder/tilmeld/"+token, lang, "admin")
			if n := credentials(t, a, key); n != 1 {
				t.Fatalf("the key holds %d credentials after the enrolment, want 1", n)
			}
			logOut(t, a)

			// Log in: a wrong password first (the error summary), then password and key.
			navigate(t, a, withLang(env.URL+"/medarbejder/log-ind", lang))
			checkAxe(t, a, "/medarbejder/log-ind ("+lang+")")
			fill(t, a, "#email", adminEmail)
			fill(t, a, "#password", staffTestPassword+"x")
			click(t, a, `[data-testid="staff-login-submit"]`)
			wantErrorSummary(t, a, "a wrong staff password")
			checkAxe(t, a, "/medarbejder/log-ind with errors ("+lang+")")
			fill(t, a, "#email", adminEmail)
			fill(t, a, "#password", staffTestPassword)
			click(t, a, `[data-testid="staff-login-submit"]`)
			wantPath(t, a, "/medarbejder/log-ind/noegle")
			checkAxe(t, a, "/medarbejder/log-ind/noegle ("+lang+")")
			submitChip(t, a, "staff-key-login")
			waitFor(t, a, `location.pathname === '/medarbejder'`, ceremonyTimeout)
			if got := mainText(t, a); !strings.Contains(got, admin.Name) {
				t.Errorf("the start page after login does not greet %q: %s", admin.Name, clip(got, 300))
			}

			// Create an agent; the page shows the enrolment link once.
			click(t, a, `[data-testid="staff-entry-users"]`)
			wantPath(t, a, "/medarbejder/admin/brugere")
			checkAxe(t, a, "/medarbejder/admin/brugere ("+lang+")")
			agentEmail := "agent-" + lang + "@styrelsen.dk"
			fill(t, a, "#name", "Bo Agent "+lang)
			fill(t, a, "#email", agentEmail)
			chooseFirst(t, a, `[data-testid="role-agent"]`)
			click(t, a, `[data-testid="staff-create-submit"]`)
			link := eval[string](t, a, `(document.querySelector('[data-testid="enrolment-link"]') || {}).value || ''`)
			if !strings.HasPrefix(link, env.URL+"/medarbejder/tilmeld/") {
				t.Fatalf("no enrolment link after creating the agent; the page says: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, "/medarbejder/admin/brugere with a new account ("+lang+")")

			// The operator's view of the job queue and the outbox (read only).
			navigate(t, a, withLang(env.URL+"/medarbejder/admin/jobkoe", lang))
			if !has(t, a, `[data-testid="jobqueue-outbox"]`) {
				t.Errorf("the job queue page shows no outbox: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, "/medarbejder/admin/jobkoe ("+lang+")")

			// The agent enrols in a browser of their own and is logged in.
			b := newTab(t)
			addSecurityKey(t, b)
			enrolStaffInBrowser(t, b, link, lang, "agent")
			if has(t, b, `a[href="/medarbejder/admin/brugere"]`) {
				t.Errorf("the agent's start page offers admin pages: %s", clip(mainText(t, b), 300))
			}

			// The admin disables the agent.
			agent, err := env.App.Server.Staff.ByEmail(ctx, agentEmail)
			if err != nil {
				t.Fatal(err)
			}
			userPath := "/medarbejder/admin/brugere/" + strconv.FormatInt(agent.ID, 10)
			navigate(t, a, withLang(env.URL+"/medarbejder/admin/brugere", lang))
			click(t, a, `a[href="`+userPath+`"]`)
			wantPath(t, a, userPath)
			checkAxe(t, a, userPath+" ("+lang+")")
			click(t, a, `[data-testid="staff-disable-submit"]`)
			wantPath(t, a, userPath)
			if !has(t, a, `[data-testid="notice"]`) || !has(t, a, `[data-testid="staff-enable-form"]`) {
				t.Errorf("after disabling, the page says: %s", clip(mainText(t, a), 300))
			}
			checkAxe(t, a, userPath+" disabled ("+lang+")")

			// The agent's next request is no longer logged in: it lands on the staff login.
			res := navigate(t, b, withLang(env.URL+"/medarbejder", lang))
			if res.Status != 200 || currentPath(t, b) != "/medarbejder/log-ind" || has(t, b, `form[action="/log-ud"]`) {
				t.Errorf("the disabled agent's next request: status %d on %s, logged-in header %v",
					res.Status, currentPath(t, b), has(t, b, `form[action="/log-ud"]`))
			}
			// Nor can the agent log in again.
			navigate(t, b, withLang(env.URL+"/medarbejder/log-ind", lang))
			fill(t, b, "#email", agentEmail)
			fill(t, b, "#password", staffTestPassword)
			click(t, b, `[data-testid="staff-login-submit"]`)
			wantErrorSummary(t, b, "a disabled agent's login")

			staffProblems(t, problems())
		})
	}
}
