package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/session"
	"mitidportal/support"
)

// layoutCheck measures, in the page, what people saw wrong (issue 14): the page's heading
// within the first screen on a phone, the language bar's border clear of the portal's name,
// the current language the one DKFDS draws as current, a form's first button clear of the
// field above it, and every card's buttons within the card.
const layoutCheck = `(() => {
	const out = {problems: []};
	const h1 = document.querySelector('main h1');
	if (!h1) { out.problems.push('no h1 in main'); return out; }
	const r = h1.getBoundingClientRect();
	out.h1Bottom = Math.round(r.bottom + window.scrollY);
	const bar = document.querySelector('.header .language-switcher');
	const name = document.querySelector('.solution-heading');
	if (bar && name) {
		const b = bar.getBoundingClientRect(), n = name.getBoundingClientRect();
		if (b.top < n.bottom - 1) out.problems.push('the language bar (top ' + b.top + ') overlaps the portal name (bottom ' + n.bottom + ')');
		const first = bar.querySelector('li:first-of-type a');
		if (!first || first.getAttribute('aria-current') !== 'true') out.problems.push('the first language (drawn as current by DKFDS) is not the current one');
		const weights = [...bar.querySelectorAll('li a')].map(a => [a.getAttribute('aria-current') === 'true', parseInt(getComputedStyle(a).fontWeight)]);
		for (const [current, w] of weights) if (!current && w >= 600) out.problems.push('a language that is not current is drawn bold');
	}
	for (const form of document.querySelectorAll('main form')) {
		const groups = [...form.querySelectorAll('.form-group, fieldset')].filter(e => e.offsetParent !== null);
		const button = [...form.querySelectorAll('button.button, .button')].find(e => e.offsetParent !== null);
		if (!groups.length || !button) continue;
		const above = groups.filter(g => g.getBoundingClientRect().bottom <= button.getBoundingClientRect().top + 1);
		if (!above.length) continue;
		const gap = button.getBoundingClientRect().top - Math.max(...above.map(g => g.getBoundingClientRect().bottom));
		if (gap < 16) out.problems.push('a button ' + Math.round(gap) + ' px below the field above it (' + (button.textContent || '').trim() + ')');
	}
	for (const card of document.querySelectorAll('.card')) {
		if (card.offsetParent === null) continue;
		const c = card.getBoundingClientRect();
		for (const b of card.querySelectorAll('.button')) {
			const r = b.getBoundingClientRect();
			if (r.right > c.right + 0.5 || r.left < c.left - 0.5) out.problems.push('a button (' + b.textContent.trim() + ') runs over its card: ' + Math.round(r.left) + '-' + Math.round(r.right) + ' in ' + Math.round(c.left) + '-' + Math.round(c.right));
		}
	}
	return out;
})()`

type layoutResult struct {
	Problems []string `json:"problems"`
	H1Bottom int      `json:"h1Bottom"`
}

// TestLayoutAtPhoneAndDesktop: the front page, the login, the overview, a case page and the
// app's request card at 320 px (a phone, 640 px high) and 1280 px, in both languages, with
// the layout checks above; on a phone the page's heading is within the first screen. With
// SCREENSHOT_DIR set (make screenshots) each page is saved as a PNG there.
func TestLayoutAtPhoneAndDesktop(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cit := newCitizen(t, env)
	citizen := env.LoginAs(t, session.Subject{Kind: session.KindCitizen, ID: cit.MitID.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: cit.MitID.Username})
	agentUser, _, err := env.App.Server.Staff.Create(context.Background(), "layout@styrelsen.dk", "Lise Layout", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	agent := env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: agentUser.ID, Roles: agentUser.Roles, Level: "high",
		Name: agentUser.Name, AuthenticatedAt: time.Now()})
	cs, err := env.App.Server.Cases.Open(context.Background(), support.NewCase{Channel: support.ChannelWeb,
		System: support.SystemMitID, Category: support.CategoryLogin, Subject: "Kan ikke logge på", Name: "Carla Borger",
		Email: "carla@example.dk", Lang: "da"})
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct {
		name, path string
		as         string // "", "citizen" or "agent"
		prepare    string // script run before measuring
	}{
		{"front", "/", "", ""},
		{"login", "/log-ind", "", ""},
		{"overview", "/mitid", "citizen", ""},
		{"case", "/medarbejder/sager/" + cs.Ref, "agent", ""},
		// The app's request card is drawn by its script from the page's template once a paired
		// phone has a request; the card is put on the page here as the script puts it.
		{"app-request", "/app", "", `(() => {
			document.getElementById('app-pair').hidden = true;
			const sec = document.getElementById('app-requests'); sec.hidden = false;
			const li = document.getElementById('app-request-template').content.firstElementChild.cloneNode(true);
			li.querySelector('[data-field=purpose]').textContent = 'Log på Borger.dk';
			li.querySelector('[data-field=code]').textContent = '4711';
			li.querySelector('[data-field=service]').textContent = 'Borger.dk';
			li.querySelector('[data-field=level]').textContent = 'Betydelig';
			document.getElementById('app-request-list').append(li);
			document.getElementById('app-none').hidden = true;
			li.scrollIntoView();
		})()`},
	}
	for _, lang := range []string{"da", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			tabs := map[string]context.Context{"": newTab(t), "citizen": newTab(t), "agent": newTab(t)}
			setSessionCookie(t, tabs["citizen"], env, citizen)
			setSessionCookie(t, tabs["agent"], env, agent)
			for _, width := range []int{320, 1280} {
				for _, p := range pages {
					ctx := tabs[p.as]
					height, opts := 640, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}
					if width > 320 {
						height, opts = 1024, nil
					}
					do(t, ctx, chromedp.EmulateViewport(int64(width), int64(height), opts...))
					navigate(t, ctx, withLang(env.URL+p.path, lang))
					if p.prepare != "" {
						// The app's script first shows its pairing form (no phone is paired in
						// this browser); the card goes on the page after that.
						if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById('app-pair').hidden`,
							chromedp.WithPollingTimeout(10*time.Second))); err != nil {
							t.Fatalf("the app's script did not start: %v", err)
						}
						do(t, ctx, chromedp.Evaluate[chromedp.Void](p.prepare))
						if n := eval[int](t, ctx, `[...document.querySelectorAll('.card')].filter(c => c.offsetParent !== null).length`); n != 1 {
							t.Fatalf("%d request cards shown, want 1", n)
						}
					}
					m := eval[layoutResult](t, ctx, layoutCheck)
					where := p.name + " at " + strconv.Itoa(width) + " px (" + lang + ")"
					for _, problem := range m.Problems {
						t.Errorf("%s: %s", where, problem)
					}
					if width == 320 && p.prepare == "" && m.H1Bottom > height {
						t.Errorf("%s: the page's heading ends %d px down, below the first screen (%d px)", where, m.H1Bottom, height)
					}
					if dir != "" {
						png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
						if err != nil {
							t.Fatal(err)
						}
						file := filepath.Join(dir, p.name+"-"+strconv.Itoa(width)+"px-"+lang+".png")
						if err := os.WriteFile(file, png, 0o644); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}
