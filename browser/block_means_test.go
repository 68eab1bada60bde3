package browser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/identity"
)

// TestCitizenFlowBlockMeansIsRefused blocks one kodeviser from the overview, in both languages,
// and then tries to log in with it: the login is refused with the error summary, while the
// citizen's other kodeviser still works.
func TestCitizenFlowBlockMeansIsRefused(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env) // logs in with kodeviser c.Serial
			lost := importCodeDisplay(t, env)
			prev := previousCode(t, env, lost)
			a, err := env.App.Identity.ActivateToken(context.Background(), c.MitID.ID, lost, prev, identity.ActorSystem)
			if err != nil {
				t.Fatalf("activate the kodeviser to block: %v", err)
			}
			ctx := newTab(t)
			problems := pageProblems(t, ctx)
			logInWithCode(t, ctx, env, c, lang)

			id := strconv.FormatInt(a.ID, 10)
			click(t, ctx, `a[data-testid="means-block"][href="/mitid/middel/`+id+`/spaer"]`)
			wantPath(t, ctx, "/mitid/middel/"+id+"/spaer")
			checkAxe(t, ctx, "block a means ("+lang+")")
			chooseFirst(t, ctx, `input[name="reason"]`)
			click(t, ctx, `[data-testid="block-means-submit"]`)
			wantPath(t, ctx, "/mitid")
			if !has(t, ctx, `[data-testid="notice"]`) {
				t.Errorf("no notice after blocking: %s", clip(mainText(t, ctx), 300))
			}
			got, err := env.App.Identity.Authenticator(context.Background(), c.MitID.ID, a.ID)
			if err != nil || got.Status != identity.AuthBlocked {
				t.Fatalf("the kodeviser is %s (%v) after blocking, want blocked", got.Status, err)
			}
			logOut(t, ctx)

			// The blocked kodeviser's next, never used code is refused.
			next := time.Now().Add(30 * time.Second)
			startLogin(t, ctx, env, c.MitID.Username, lang)
			click(t, ctx, `[data-testid="method-code"]`)
			fill(t, ctx, "#password", c.Password)
			fill(t, ctx, "#code", tokenCode(t, env, lost, next))
			click(t, ctx, `[data-testid="code-submit"]`)
			wantErrorSummary(t, ctx, "a login with the blocked kodeviser")
			if p := currentPath(t, ctx); strings.HasPrefix(p, "/mitid") {
				t.Fatalf("the blocked kodeviser logged in (on %s)", p)
			}
			checkAxe(t, ctx, "refused login ("+lang+")")

			// The other kodeviser still logs in: the block refused the one means only.
			fill(t, ctx, "#password", c.Password)
			fill(t, ctx, "#code", tokenCode(t, env, c.Serial, next))
			click(t, ctx, `[data-testid="code-submit"]`)
			wantPath(t, ctx, "/mitid")
			for _, p := range problems() {
				if p.Kind == "network" && strings.Contains(p.URL, "/log-ind/kode") {
					continue // the refused form answers 422 on purpose
				}
				t.Errorf("the pages reported: %s", p)
			}
		})
	}
}
