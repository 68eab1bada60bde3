package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/locales"
)

// meansIDOf is the id of the means that holds serial.
func meansIDOf(t *testing.T, env *apptest.Env, mitidID int64, serial string) int64 {
	t.Helper()
	means, err := env.App.Identity.Means(context.Background(), mitidID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range means {
		if a.TokenSerial == serial {
			return a.ID
		}
	}
	t.Fatalf("no means with serial %s", serial)
	return 0
}

// TestUnblockMeansOverHTTP: a blocked code display is offered "unblock" and unblocked from a
// login made with the other display; the display the login was made with is not, once
// blocked: the page says why and the POST is refused. The overview offers no "remove" for
// the last means that can log in, and the sessions page names level and means.
func TestUnblockMeansOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.For("da")
	tc := newTempCitizen(t, env)
	used, lost := meansIDOf(t, env, tc.m.ID, tc.serials[0]), meansIDOf(t, env, tc.m.ID, tc.serials[1])
	b := newBrowser(t, env, nil, "")
	if res := tc.logIn(t, b, "/log-ind", apptest.Password, 0); res.Header.Get("Location") != "/mitid" {
		t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	href := func(id int64, action string) string {
		return "/mitid/middel/" + strconv.FormatInt(id, 10) + "/" + action
	}
	// Two displays: either may go. One blocked: the other is the last that can log in.
	body := b.page(t, "/mitid")
	for _, id := range []int64{used, lost} {
		if !strings.Contains(body, `href="`+href(id, "fjern")+`"`) {
			t.Errorf("remove not offered for %d beside another display", id)
		}
	}
	if err := env.App.Identity.BlockAuthenticator(ctx, tc.m.ID, lost, identity.BlockLost, identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	body = b.page(t, "/mitid")
	if strings.Contains(body, `href="`+href(used, "fjern")+`"`) {
		t.Error("remove offered for the last means that can log in")
	}
	if !strings.Contains(body, `href="`+href(lost, "ophaev")+`"`) || strings.Contains(body, `href="`+href(used, "ophaev")+`"`) {
		t.Error("unblock not offered for exactly the blocked display")
	}
	if page := b.page(t, href(lost, "ophaev")); !strings.Contains(page, `data-testid="unblock-means-form"`) {
		t.Fatal("the unblock page has no form")
	}
	if res := b.form(t, href(lost, "ophaev"), url.Values{}); res.Header.Get("Location") != "/mitid?done=means_unblocked" {
		t.Fatalf("unblock: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if a, _ := env.App.Identity.Authenticator(ctx, tc.m.ID, lost); a.Status != identity.AuthActive {
		t.Errorf("after the unblock: %s", a.Status)
	}
	// The display this session logged in with, blocked: not from this login.
	if err := env.App.Identity.BlockAuthenticator(ctx, tc.m.ID, used, identity.BlockLost, identity.ActorCitizen); err != nil {
		t.Fatal(err)
	}
	page := b.page(t, href(used, "ophaev"))
	if strings.Contains(page, `data-testid="unblock-means-form"`) || !strings.Contains(page, tr.T(identity.ErrUnblockSameMeans.MsgID)) {
		t.Error("the page for the login's own means offers the form or does not say why not")
	}
	if res, body := b.post(t, href(used, "ophaev"), url.Values{}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, tr.T(identity.ErrUnblockSameMeans.MsgID)) {
		t.Errorf("unblocking the login's own means: %d", res.StatusCode)
	}
	if a, _ := env.App.Identity.Authenticator(ctx, tc.m.ID, used); a.Status != identity.AuthBlocked {
		t.Errorf("the login's own means after a refused unblock: %s", a.Status)
	}
	// The sessions page names how this session logged in.
	sessions := b.page(t, "/mitid/sessioner")
	for _, want := range []string{tr.T(identity.LevelSubstantial.MsgID()), tr.T(identity.KindCodeDisplay.MsgID())} {
		if !strings.Contains(sessions, want) {
			t.Errorf("the sessions page lacks %q", want)
		}
	}
}

// TestChipLoginWithBlockedChipOverHTTP: using a blocked chip sends the page to the blocked
// chip's page, which says so; with every chip blocked the password step does.
func TestChipLoginWithBlockedChipOverHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	origin := env.URL
	m, password, citizen := chipCitizen(t, env)
	keys := []*softKey{newSoftKey(t), newSoftKey(t)}
	for _, k := range keys {
		o := citizen.begin(t, "/mitid/chip/tilfoej/begin", map[string]string{"label": "Chip"})
		status, out := citizen.json(t, "/mitid/chip/tilfoej/finish", k.create(t, o, origin))
		wantAnswer(t, "register", status, out, http.StatusOK, "redirect", "/mitid?done=chip_added")
	}
	means, err := env.App.Identity.Means(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var chips []identity.Authenticator
	for _, a := range means {
		if a.Kind == identity.KindChip {
			chips = append(chips, a)
		}
	}
	block := func(i int) {
		if err := env.App.Identity.BlockAuthenticator(ctx, m.ID, chips[i].ID, identity.BlockLost, identity.ActorCitizen); err != nil {
			t.Fatal(err)
		}
	}
	login := func() *browser {
		b := newBrowser(t, env, nil, "")
		b.page(t, "/log-ind")
		b.form(t, "/log-ind", url.Values{"username": {m.Username}})
		b.page(t, "/log-ind/chip")
		return b
	}
	blockedPage := "/log-ind/chip/spaerret?middel=chip"
	block(0)
	b := login()
	o := b.begin(t, "/log-ind/chip/begin", map[string]string{"password": password})
	status, out := b.json(t, "/log-ind/chip/finish", keys[0].get(t, o, origin))
	wantAnswer(t, "the blocked chip", status, out, http.StatusOK, "redirect", blockedPage)
	if page := b.page(t, blockedPage); !strings.Contains(page, `data-testid="chip-blocked"`) {
		t.Error("the blocked chip's page does not say so")
	}
	block(1)
	body, _ := json.Marshal(map[string]string{"password": password})
	status, out = login().json(t, "/log-ind/chip/begin", body)
	wantAnswer(t, "every chip blocked", status, out, http.StatusOK, "redirect", blockedPage)
}
