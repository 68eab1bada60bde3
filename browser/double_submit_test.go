package browser_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
	"mitidportal/support"
)

// doubleClick double-clicks the element matching css as a mouse does: two presses and
// releases at its centre, the second with a click count of 2, pause apart.
func doubleClick(t testing.TB, ctx context.Context, css string, pause time.Duration) {
	t.Helper()
	at := eval[[]float64](t, ctx, `(e => { e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2]; })(document.querySelector(`+strconv.Quote(css)+`))`)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(at[0], at[1]), chromedp.Sleep(pause),
		chromedp.MouseClickXY(at[0], at[1], chromedp.ClickCount(2))); err != nil {
		t.Fatalf("double-click %s: %v", css, err)
	}
}

// postsTo counts, from now on, the POST requests the tab sends to path.
func postsTo(t testing.TB, ctx context.Context, path string) (count func() int) {
	t.Helper()
	var n atomic.Int64
	err := chromedp.Listen(ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok && r.Request.Method == "POST" && strings.HasSuffix(r.Request.URL, path) {
			n.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() int { return int(n.Load()) }
}

// TestDoubleClickSendsOneReply: an agent double-clicks "send reply" on the case page. The
// page sends the form once (portal.js), the citizen gets one mail and the case one reply; the
// case comes back with the usual notice and a reply form that takes the next reply. A double
// click on a plain form (a new canned reply, no htmx) while the server is slow sends the form
// once and saves one reply.
func TestDoubleClickSendsOneReply(t *testing.T) {
	t.Parallel()
	out := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: out.Port})
	ctx := context.Background()
	tab := newTab(t)
	desktopWindow(t, tab)
	problems := pageProblems(t, tab)
	me := loginAgentInTab(t, tab, env, "dorte@styrelsen.dk", "Dorte Dobbeltklik")
	const citizen = "dobbeltklik@example.dk"
	cs, err := env.App.Server.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
		Category: support.CategoryLogin, Subject: "Dobbeltklik", Name: "Bo Borger", Email: citizen,
		Message: "Jeg har ikke fået mit brev.", AssigneeID: me})
	if err != nil {
		t.Fatal(err)
	}
	path := "/medarbejder/sager/" + cs.Ref
	navigate(t, tab, env.URL+path)
	typeText(t, tab, "#reply_body", "Dit nye aktiveringsbrev er på vej.")
	replyPosts := postsTo(t, tab, path+"/svar")
	eval[bool](t, tab, `(document.getElementById('desk-case').dataset.stale = '1') === '1'`)
	doubleClick(t, tab, sel("desk-reply-submit"), 0)
	waitFor(t, tab, `document.getElementById('desk-case') && !document.getElementById('desk-case').dataset.stale`, 10*time.Second)

	if _, ok := out.Wait(func(m mailtest.Message) bool { return m.SentTo(citizen) }, 15*time.Second); !ok {
		t.Fatalf("no reply mail within 15 s: %s", out.Summary())
	}
	time.Sleep(time.Second) // room for a second mail, were there one
	n := 0
	for _, m := range out.Messages() {
		if m.SentTo(citizen) {
			n++
		}
	}
	stored, err := mail.Recent(ctx, env.App.Pool, citizen, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(stored) != 1 {
		t.Errorf("the double click sent %d mails (%d in the outbox), want 1: %s", n, len(stored), out.Summary())
	}
	if n := replyPosts(); n != 1 {
		t.Errorf("the page sent the reply form %d times, want once", n)
	}
	entries, err := env.App.Server.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, e := range entries {
		if e.Kind == support.EntryReply {
			replies++
		}
	}
	if replies != 1 {
		t.Errorf("%d replies on the case, want 1", replies)
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, tab, sel("notice")); got != cat.For("da").T("desk.notice.replied") {
		t.Errorf("the notice after the double click is %q", got)
	}
	if eval[bool](t, tab, `document.querySelector(`+jsSel("desk-reply-submit")+`).disabled`) {
		t.Error("the new reply form's button is disabled")
	}

	// A plain form: the new canned reply, sent by a double click, is sent and saved once.
	navigate(t, tab, env.URL+"/medarbejder/svar/ny")
	cannedPosts := postsTo(t, tab, "/medarbejder/svar/ny")
	fill(t, tab, "#title_da", "Brev sendt")
	typeText(t, tab, "#body_da", "Hej {{navn}}, dit brev er sendt.")
	fill(t, tab, "#title_en", "Letter sent")
	typeText(t, tab, "#body_en", "Hello {{name}}, your letter is sent.")
	// The server is slow: the first sending waits for the form keys' table, so the second click
	// comes while it is under way, as it does on a busy day.
	slow, err := env.App.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slow.Exec(ctx, `LOCK TABLE form_key IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	doubleClick(t, tab, sel("canned-save"), 150*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	if err := slow.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, `location.pathname === '/medarbejder/svar'`, 10*time.Second)
	var saved int
	if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM support_canned WHERE owner_id = $1`, me).Scan(&saved); err != nil {
		t.Fatal(err)
	}
	if saved != 1 || cannedPosts() != 1 {
		t.Errorf("the double click sent the form %d times and saved %d canned replies, want 1 and 1", cannedPosts(), saved)
	}
	deskProblems(t, problems())
}

// TestSentFormTakesSubmitsAgain: a form whose answer leaves the page as it is (a download; here
// the answer goes to a frame) can be sent again after a few seconds, and at once when the page
// is shown again from the back/forward cache; until then its button is disabled.
func TestSentFormTakesSubmitsAgain(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	tab := newTab(t)
	navigate(t, tab, env.URL+"/kontakt")
	posts := postsTo(t, tab, "/kontakt/skriv")
	eval[bool](t, tab, `(() => { const sink = document.createElement('iframe'); sink.name = 'sink';
		const f = document.createElement('form'); f.method = 'post'; f.action = '/kontakt/skriv'; f.target = 'sink';
		const b = document.createElement('button'); b.type = 'submit'; b.id = 'probe'; b.textContent = 'Send';
		f.append(b); document.body.append(sink, f); return true; })()`)
	disabled := func() bool { return eval[bool](t, tab, `document.getElementById('probe').disabled`) }
	send := func() {
		t.Helper()
		if err := clickNoWait(tab, "#probe"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, `document.getElementById('probe').disabled`, 5*time.Second)
	}

	send()
	doubleClick(t, tab, "#probe", 0) // on a disabled button: nothing
	eval[bool](t, tab, `window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))`)
	if disabled() {
		t.Error("the button is still disabled when the page is shown again")
	}
	send()
	start := time.Now()
	waitFor(t, tab, `!document.getElementById('probe').disabled`, 15*time.Second)
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("the button came back after %s, want a few seconds", waited.Round(time.Millisecond))
	}
	if n := posts(); n != 2 {
		t.Errorf("%d posts, want 2: one per send", n)
	}
}
