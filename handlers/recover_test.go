package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/audit"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
)

// Recovery (/aktiver/gendan) and lifting a block (/aktiver/ophaev) over HTTP, from a session
// holding the grant that /aktiver leaves after checking a code (handlers/citizen/
// activation_grant.go). The browser tests walk the same from /aktiver itself.

// recovering is a browser whose session holds a grant for the fixture's citizen (the code id
// does not exist: the input rules refuse before anything reads it).
func (fx *inputFixture) recovering(t *testing.T) *browser {
	return fx.withSession(t, map[any]any{"grant_activation": int64(1), "grant_cpr": string(fx.citizen.CPR)})
}

// granted is a browser whose session holds the grant of the activation code c.
func granted(t *testing.T, env *apptest.Env, c identity.ActivationCode) *browser {
	t.Helper()
	return (&inputFixture{env: env}).withSession(t, map[any]any{"grant_activation": c.ID, "grant_cpr": string(c.CPR)})
}

// citizenSession is a session of the citizen made by a login a minute ago.
func citizenSession(t *testing.T, env *apptest.Env, m identity.MitID) *browser {
	t.Helper()
	return newBrowser(t, env, env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: m.ID,
		Roles: []string{"citizen"}, Level: "substantial", AuthenticatedAt: time.Now().Add(-time.Minute)}), apptest.CSRFToken)
}

func activityOf(t *testing.T, env *apptest.Env, m identity.MitID) map[identity.ActivityKind]identity.Activity {
	t.Helper()
	list, err := env.App.Identity.Activity(context.Background(), m.ID, 0, identity.MaxActivityPage)
	if err != nil {
		t.Fatal(err)
	}
	out := map[identity.ActivityKind]identity.Activity{}
	for _, a := range list {
		if _, ok := out[a.Kind]; !ok {
			out[a.Kind] = a
		}
	}
	return out
}

func passwordIs(t *testing.T, env *apptest.Env, m identity.MitID, pw string) bool {
	t.Helper()
	var hash string
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT password_hash FROM authenticator
		WHERE mitid_id = $1 AND kind = 'password' AND status = 'active'`, m.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	ok, err := identity.VerifyPassword(hash, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

const recoveredPassword = "Kanelsnegl-paa-Torvet-42"

func TestRecoverOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	da := cat.For("da")
	issue := func(m identity.MitID, purpose identity.ActivationPurpose, level identity.Level, by string) identity.ActivationCode {
		t.Helper()
		_, c, err := env.App.Activations.Issue(ctx, m.CPR, purpose, level, by)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	valid := func(situation string) url.Values {
		return url.Values{"situation": {situation}, "password": {recoveredPassword}, "password_repeat": {recoveredPassword}}
	}

	t.Run("without a grant", func(t *testing.T) {
		b := newBrowser(t, env, env.LoginAs(t, session.Subject{}), apptest.CSRFToken)
		for _, path := range []string{"/aktiver/gendan", "/aktiver/ophaev"} {
			if status, to := b.get(t, path); status != http.StatusSeeOther || to != "/aktiver" {
				t.Errorf("GET %s: %d to %q, want 303 to /aktiver", path, status, to)
			}
			if res, _ := b.post(t, path, valid("forgot_password")); res.StatusCode != http.StatusSeeOther ||
				res.Header.Get("Location") != "/aktiver" {
				t.Errorf("POST %s: %d, want 303 to /aktiver", path, res.StatusCode)
			}
		}
	})

	t.Run("forgot password", func(t *testing.T) {
		m := env.NewCitizen(t)
		other := citizenSession(t, env, m)
		c := issue(m, identity.ActivationRecover, identity.LevelSubstantial, identity.ActorCitizen)
		b := granted(t, env, c)
		if body := b.page(t, "/aktiver/gendan"); !strings.Contains(body, `data-testid="recover-form"`) {
			t.Fatalf("no recovery form:\n%.500s", body)
		}
		// No choice made: the form again with the error at the radios.
		res, body := b.post(t, "/aktiver/gendan", url.Values{"password": {recoveredPassword}, "password_repeat": {recoveredPassword}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#situation"`) ||
			!strings.Contains(body, da.T("recover.err.situation_required")) {
			t.Errorf("without a choice: %d", res.StatusCode)
		}
		// A weak password: refused at its field, the code not spent.
		weak := valid("forgot_password")
		weak.Set("password", "Aaaaaaaa1")
		weak.Set("password_repeat", "Aaaaaaaa1")
		if res, body := b.post(t, "/aktiver/gendan", weak); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, `href="#password"`) {
			t.Errorf("weak password: %d", res.StatusCode)
		}
		res, _ = b.post(t, "/aktiver/gendan", valid("forgot_password"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/aktiver/gendan/faerdig" {
			t.Fatalf("recover: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if !passwordIs(t, env, m, recoveredPassword) {
			t.Error("the new password was not set")
		}
		if status, _ := other.get(t, "/mitid"); status == http.StatusOK {
			t.Error("the other session still shows /mitid after the recovery")
		}
		if status, to := b.get(t, "/aktiver/gendan"); status != http.StatusSeeOther || to != "/aktiver" {
			t.Errorf("the grant outlived its use: %d to %q", status, to)
		}
		if b.page(t, "/aktiver/gendan/faerdig"); !strings.Contains(b.page(t, "/aktiver/gendan/faerdig"), `data-testid="recover-done"`) {
			t.Error("no done page")
		}
		acts := activityOf(t, env, m)
		if acts[identity.ActivityRecovered].Detail["via"] != identity.ViaLetter {
			t.Errorf("recovered entry %+v", acts[identity.ActivityRecovered])
		}
		// The activity log says how the identity was proven.
		if body := citizenSession(t, env, m).page(t, "/mitid/aktivitet"); !strings.Contains(body, da.T("identity.via.letter")) ||
			!strings.Contains(body, da.T(identity.ActivityRecovered.MsgID())) {
			t.Error("the activity page does not show the recovery and how the identity was proven")
		}
	})

	t.Run("lost everything", func(t *testing.T) {
		m := env.NewCitizen(t)
		if _, err := env.App.Identity.AddChip(ctx, m.ID, "Nøglering", identity.ChipCredential{
			CredentialID: []byte("lost-key-" + m.Username), PublicKey: []byte("cose"), AAGUID: make([]byte, 16),
			UserVerified: true}, identity.ActorCitizen); err != nil {
			t.Fatal(err)
		}
		c := issue(m, identity.ActivationRecover, identity.LevelSubstantial, identity.ActorCitizen)
		b := granted(t, env, c)
		b.page(t, "/aktiver/gendan")
		res, _ := b.post(t, "/aktiver/gendan", valid("lost_everything"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/opret/middel" {
			t.Fatalf("recover: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		means, err := env.App.Identity.Means(ctx, m.ID)
		if err != nil || len(means) != 1 || means[0].Kind != identity.KindPassword {
			t.Errorf("means after losing everything: %+v %v", means, err)
		}
		if body := b.page(t, "/opret/middel"); !strings.Contains(body, `data-testid="means-choices"`) {
			t.Errorf("the first-means page does not continue the recovery:\n%.300s", body)
		}
		var mails int
		if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE kind = 'notification.means_revoked'`).Scan(&mails); err != nil || mails != 1 {
			t.Errorf("%d notifications of the revoked means, want 1 (%v)", mails, err)
		}
	})

	t.Run("a code for something else", func(t *testing.T) {
		m := env.NewCitizen(t)
		c := issue(m, identity.ActivationCreate, identity.LevelSubstantial, identity.ActorCitizen)
		b := granted(t, env, c)
		b.page(t, "/aktiver/gendan")
		res, body := b.post(t, "/aktiver/gendan", valid("forgot_password"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, da.T(identity.ErrActivationInvalid.MsgID)) {
			t.Errorf("creation code used to recover: %d", res.StatusCode)
		}
		if status, to := b.get(t, "/aktiver/gendan"); status != http.StatusSeeOther || to != "/aktiver" {
			t.Errorf("a refused code's grant was kept: %d to %q", status, to)
		}
	})
}

func TestLiftOverHTTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := cat.For("en")
	fields := url.Values{"password": {recoveredPassword}, "password_repeat": {recoveredPassword}}
	blocked := func(t *testing.T) identity.MitID {
		m := env.NewCitizen(t)
		if err := env.App.Identity.BlockMitID(ctx, m.ID, identity.BlockStolen, identity.ActorCitizen, nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name  string
		level identity.Level
		by    string
		want  int
	}{
		{"borgerservice", identity.LevelHigh, identity.StaffActor(5), http.StatusSeeOther},
		{"support letter", identity.LevelSubstantial, identity.StaffActor(6), http.StatusSeeOther},
		{"the citizen's web letter", identity.LevelSubstantial, identity.ActorCitizen, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := blocked(t)
			_, c, err := env.App.Activations.Issue(ctx, m.CPR, identity.ActivationLift, tt.level, tt.by)
			if err != nil {
				t.Fatal(err)
			}
			b := granted(t, env, c)
			if body := b.page(t, "/aktiver/ophaev?lang=en"); !strings.Contains(body, `data-testid="lift-blocked-at"`) {
				t.Fatalf("the lift page does not say when the MitID was blocked:\n%.500s", body)
			}
			res, body := b.post(t, "/aktiver/ophaev", fields)
			if res.StatusCode != tt.want {
				t.Fatalf("lift: %d, want %d", res.StatusCode, tt.want)
			}
			got, err := env.App.Identity.MitID(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := env.App.Audit.List(ctx, audit.Filter{Subject: audit.MitID(m.ID)})
			if err != nil {
				t.Fatal(err)
			}
			lifts := 0
			for _, r := range recs {
				if r.Action == audit.ActionLiftBlock {
					lifts++
					if r.Actor != identity.ActorCitizen || r.Detail["via"] == nil {
						t.Errorf("lift audit entry %+v", r)
					}
				}
			}
			if tt.want != http.StatusSeeOther {
				if got.Status != identity.StatusBlocked || lifts != 0 ||
					!strings.Contains(body, en.T(identity.ErrLiftRefused.MsgID)) {
					t.Errorf("refused lift: status %s, %d audit entries, message shown %v", got.Status, lifts,
						strings.Contains(body, en.T(identity.ErrLiftRefused.MsgID)))
				}
				return
			}
			if res.Header.Get("Location") != "/aktiver/ophaev/faerdig" || got.Status != identity.StatusActive {
				t.Errorf("lift: to %q, status %s", res.Header.Get("Location"), got.Status)
			}
			if lifts != 1 {
				t.Errorf("%d lift audit entries, want 1", lifts)
			}
			if !passwordIs(t, env, m, recoveredPassword) {
				t.Error("the new password was not set")
			}
			if _, ok := activityOf(t, env, m)[identity.ActivityMitIDUnblocked]; !ok {
				t.Error("no lift in the activity log")
			}
			var mails int
			if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE kind = 'notification.mitid_unblocked'
				AND to_address = (SELECT email FROM person WHERE cpr = $1)`, m.CPR).Scan(&mails); err != nil || mails != 1 {
				t.Errorf("%d lift notifications, want 1 (%v)", mails, err)
			}
		})
	}
}
