package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// TestNemIDStory: a citizen whose bank selected them 12 days ago logs in and sees the deadline
// and the 18 days left on the overview; they extend it once there and the receipt shows the new
// deadline; a second extension, from the NemID page left open in another tab, is refused with
// the error summary; when the clock has passed the deadline the overview and the NemID page say
// whom to contact. Each language on its own portal (the clock moves), axe on every page.
func TestNemIDStory(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			tr := cat.For(lang)
			clock := &apptest.Clock{}
			env := apptest.New(t, apptest.Options{Clock: clock})
			c := newCitizen(t, env)
			if err := env.App.Persons.SelectForNemIDMove(context.Background(), c.Person.CPR, clock.Now().Add(-12*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			today := identity.CopenhagenDate(clock.Now())
			deadline := today.AddDate(0, 0, 18).Format("02-01-2006")
			extended := today.AddDate(0, 0, 18+identity.DefaultNemIDExtensionDays).Format("02-01-2006")

			ctx := newTab(t)
			desktopWindow(t, ctx)
			logInWithCode(t, ctx, env, c, lang)
			checkAxe(t, ctx, "overview with the NemID deadline ("+lang+")")
			box := func(ctx context.Context) string {
				return strings.Join(strings.Fields(eval[string](t, ctx,
					`(document.querySelector('[data-testid="nemid-status"]') || {innerText: ''}).innerText`)), " ")
			}
			if got := box(ctx); !strings.Contains(got, deadline) || !strings.Contains(got, tr.N("nemid.box.days_left", 18)) {
				t.Fatalf("the overview's box does not show %s and 18 days left: %q", deadline, got)
			}

			// The NemID page, left open in a second tab of the same browser (same session).
			other, closeOther := chromedp.NewContext(ctx)
			defer closeOther()
			navigate(t, other, env.URL+"/mitid/nemid")
			checkAxe(t, other, "NemID page ("+lang+")")

			click(t, ctx, `[data-testid="nemid-extend"]`)
			wantPath(t, ctx, "/mitid/nemid")
			checkAxe(t, ctx, "NemID extension receipt ("+lang+")")
			if got := mainText(t, ctx); !strings.Contains(got, tr.T("nemid.page.receipt")) || !strings.Contains(box(ctx), extended) {
				t.Fatalf("no receipt with the new deadline %s: %q", extended, clip(got, 400))
			}
			if eval[int](t, ctx, `document.querySelectorAll('[data-testid="nemid-extend"]').length`) != 0 {
				t.Error("the extension is still offered after it was used")
			}

			click(t, other, `[data-testid="nemid-extend"]`)
			checkAxe(t, other, "NemID second extension refused ("+lang+")")
			summary := eval[string](t, other, `(document.querySelector('[data-testid="error-summary"]') || {innerText: ''}).innerText`)
			if !strings.Contains(summary, tr.T(identity.ErrNemIDAlreadyExtended.MsgID)) {
				t.Fatalf("the second extension is not refused in the error summary: %q", summary)
			}

			clock.Advance(49 * 24 * time.Hour) // the day after the extended deadline
			navigate(t, ctx, env.URL+"/mitid")
			checkAxe(t, ctx, "overview past the NemID deadline ("+lang+")")
			want := tr.T("nemid.box.past", map[string]any{"Deadline": extended, "Phone": "33 98 00 10"})
			if got := box(ctx); !strings.Contains(got, want) {
				t.Fatalf("past the deadline the box says %q, want %q", got, want)
			}
			navigate(t, ctx, env.URL+"/mitid/nemid")
			checkAxe(t, ctx, "NemID page past the deadline ("+lang+")")
			if eval[int](t, ctx, `document.querySelectorAll('[data-testid="nemid-extend"]').length`) != 0 {
				t.Error("the extension is offered after the deadline")
			}
		})
	}
}
