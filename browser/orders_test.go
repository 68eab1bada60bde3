package browser_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// TestOrderFulfilActivate walks issue 8's "order → fulfilment → activate a kodeviser" in both
// languages: the citizen orders a new kodeviser because the old one is lost (it is blocked at
// once), a fulfilment member of staff (enrolled and logged in with a virtual security key) sees
// the order in the queue and sends a unit typed in lower case with spaces, the letter lands in
// the citizen's letter box, the citizen activates the unit with its serial and a shown code and
// logs in with it. axe checks every page on the way.
func TestOrderFulfilActivate(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			tr := cat.For(lang)
			c := newCitizen(t, env)
			// A second kodeviser, for logging in after the first is reported lost.
			other := c
			other.Serial = importCodeDisplay(t, env)
			prev := previousCode(t, env, other.Serial)
			if _, err := env.App.Identity.ActivateToken(ctx, c.MitID.ID, other.Serial, prev, identity.ActorSystem); err != nil {
				t.Fatalf("activate the second kodeviser: %v", err)
			}
			lost := dbText(t, env, `SELECT id::text FROM authenticator WHERE token_serial = $1`, c.Serial)
			// Each part in a tab of its own, so that none outlasts tabTimeout.
			cit := newTab(t)
			problems := pageProblems(t, cit)

			// The citizen orders: first without a choice (the error summary), then a kodeviser
			// for the lost one.
			logInWithCode(t, cit, env, c, lang)
			click(t, cit, sel("order-token"))
			wantPath(t, cit, "/mitid/bestil")
			if got := text(t, cit, sel("order-address")); !strings.Contains(got, c.Person.AddressLine) {
				t.Errorf("the order page shows the address %q, want the register's %q", got, c.Person.AddressLine)
			}
			checkAxe(t, cit, "/mitid/bestil ("+lang+")")
			click(t, cit, sel("order-submit"))
			wantErrorSummary(t, cit, "an order without a choice")
			checkAxe(t, cit, "/mitid/bestil with errors ("+lang+")")
			chooseFirst(t, cit, `input[name="kind"][value="code_display"]`)
			chooseFirst(t, cit, `input[name="reason"][value="lost"]`)
			chooseFirst(t, cit, `input[name="replaces"][value="`+lost+`"]`)
			click(t, cit, sel("order-submit"))
			wantPath(t, cit, "/mitid")
			if got := text(t, cit, sel("order-status")); !strings.Contains(got, strings.Split(tr.T("orders.status.ordered", map[string]any{"Date": ""}), " ")[0]) {
				t.Errorf("the order's status reads %q", got)
			}
			statuses := eval[[]string](t, cit, `[...document.querySelectorAll(`+jsSel("means-status")+`)].map(e => e.textContent.trim())`)
			if !slices.Contains(statuses, tr.T("identity.auth_status.blocked")) {
				t.Errorf("the means read %q: the lost kodeviser is not blocked at once", statuses)
			}
			if st := dbText(t, env, `SELECT state FROM hw_token WHERE serial = $1`, c.Serial); st != "blocked" {
				t.Errorf("the lost unit is %s in the inventory, want blocked", st)
			}
			checkAxe(t, cit, "/mitid with an order ("+lang+")")
			reportUnexpected(t, problems(), "/mitid/bestil")

			// Fulfilment: a member of staff with the role enrols with a security key and sends a
			// unit, first with a serial that is not in stock.
			_, enrol, err := env.App.Server.Staff.Create(ctx, "pakke-"+lang+"@styrelsen.dk", "Pia Pakke "+lang, []string{"fulfilment"})
			if err != nil {
				t.Fatal(err)
			}
			unit := importCodeDisplay(t, env)
			staff := newTab(t)
			desktopWindow(t, staff)
			staffProbs := pageProblems(t, staff)
			addSecurityKey(t, staff)
			enrolStaffInBrowser(t, staff, env.URL+"/medarbejder/tilmeld/"+enrol, lang, "fulfilment")
			click(t, staff, sel("staff-entry-fulfilment"))
			wantPath(t, staff, "/medarbejder/forsendelse")
			if got := mainText(t, staff); !strings.Contains(got, c.Person.GivenName) || !strings.Contains(got, c.Person.AddressLine) {
				t.Fatalf("the queue does not show the order's name and address: %s", clip(got, 400))
			}
			checkAxe(t, staff, "/medarbejder/forsendelse ("+lang+")")
			orders, err := env.App.Orders.ForMitID(ctx, c.MitID.ID)
			if err != nil || len(orders) != 1 {
				t.Fatalf("orders %v, %v", orders, err)
			}
			orderPath := "/medarbejder/forsendelse/" + strconv.FormatInt(orders[0].ID, 10)
			click(t, staff, `a[href="`+orderPath+`"]`)
			wantPath(t, staff, orderPath)
			if !strings.Contains(text(t, staff, sel("fulfilment-stock")), unit) {
				t.Errorf("the send page does not list the unit in stock %s", unit)
			}
			checkAxe(t, staff, orderPath+" ("+lang+")")
			fill(t, staff, "#serial", "NO-SUCH-UNIT")
			click(t, staff, sel("fulfilment-submit"))
			wantErrorSummary(t, staff, "a serial not in stock")
			checkAxe(t, staff, orderPath+" with errors ("+lang+")")
			typed := strings.ToLower(unit[:4]) + " " + strings.ToLower(unit[4:8]) + " " + unit[8:]
			fill(t, staff, "#serial", typed)
			click(t, staff, sel("fulfilment-submit"))
			wantPath(t, staff, "/medarbejder/forsendelse")
			if !has(t, staff, sel("notice")) {
				t.Errorf("no notice after sending: %s", clip(mainText(t, staff), 300))
			}
			checkAxe(t, staff, "/medarbejder/forsendelse after sending ("+lang+")")
			for _, p := range staffProbs() {
				if p.Kind == "network" && strings.Contains(p.Text, "status of 422") &&
					(strings.Contains(p.URL, "/medarbejder/tilmeld") || strings.HasSuffix(p.URL, orderPath+"/send")) {
					continue
				}
				t.Errorf("the staff pages reported: %s", p)
			}

			// The letter with the unit is in the citizen's letter box; the citizen logs in with
			// the other kodeviser to read it.
			cit = newTab(t)
			problems = pageProblems(t, cit)
			logInWithCode(t, cit, env, other, lang)
			navigate(t, cit, withLang(env.URL+"/mitid/post", lang))
			wantPath(t, cit, "/mitid/post")
			if n := eval[int](t, cit, `document.querySelectorAll(`+jsSel("letter-row")+`).length`); n != 1 {
				t.Errorf("%d letters in the letter box, want the one with the unit", n)
			}
			if n := dbText(t, env, `SELECT count(*)::text FROM letter WHERE cpr = $1 AND kind = $2`, string(c.Person.CPR), identity.LetterTokenSent); n != "1" {
				t.Errorf("%s letters of the kind %s", n, identity.LetterTokenSent)
			}
			checkAxe(t, cit, "/mitid/post ("+lang+")")

			// The citizen activates the unit from the overview with its serial, typed loosely,
			// and the code it shows (the previous step's: the login below takes the current one).
			navigate(t, cit, withLang(env.URL+"/mitid", lang))
			if !strings.Contains(text(t, cit, sel("order-status")), unit) {
				t.Errorf("the sent order does not name its unit: %q", text(t, cit, sel("order-status")))
			}
			click(t, cit, sel("order-activate"))
			wantPath(t, cit, "/mitid/kodeviser/tilfoej")
			checkAxe(t, cit, "/mitid/kodeviser/tilfoej for the ordered unit ("+lang+")")
			fill(t, cit, "#serial", typed)
			fill(t, cit, "#code", previousCode(t, env, unit))
			click(t, cit, sel("add-token-submit"))
			wantPath(t, cit, "/mitid")
			if st := dbText(t, env, `SELECT status FROM token_order WHERE id = $1`, orders[0].ID); st != "activated" {
				t.Errorf("the order is %s after the activation", st)
			}
			checkAxe(t, cit, "/mitid after the activation ("+lang+")")
			for _, p := range problems() {
				t.Errorf("the citizen's pages reported: %s", p)
			}

			// And logs in with it.
			logOut(t, cit)
			next := c
			next.Serial = unit
			logInWithCode(t, cit, env, next, lang)
		})
	}
}

// dbText reads a single text value from the portal's database.
func dbText(t testing.TB, env *apptest.Env, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := env.App.Pool.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}
