package browser_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mitidportal/app/apptest"
	"mitidportal/locales"
	"mitidportal/support"
)

// End-to-end walks of the support desk (issue 4, "Done when"): an agent takes a call, verifies
// the caller with the app in a second browser context, blocks the MitID and the citizen's
// session ends; a citizen's web case gets a reply that arrives at a real SMTP server in the
// test process and shows under "my cases".

// TestDeskE2ECallVerifyBlock: tab C is the citizen's logged-in browser, tab P the citizen's
// phone with the paired app, tab A the agent.
func TestDeskE2ECallVerifyBlock(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			tr := cat.For(lang)
			c := newCitizen(t, env)
			citizen := newTab(t)
			phone := newTab(t)
			agent := newTab(t)
			desktopWindow(t, agent)
			problemsA := pageProblems(t, agent)
			problemsP := pageProblems(t, phone)

			pairByAPI(t, env, phone, c, lang, "Opkald "+lang+" "+flowSuffix())
			logInWithCode(t, citizen, env, c, lang)

			// The call: a new case, identity theft in MitID.
			loginAgentInTab(t, agent, env, "e2e-call-"+lang+"@styrelsen.dk", "Agnes Agent "+lang)
			navigate(t, agent, withLang(env.URL+"/medarbejder/sager", lang))
			click(t, agent, sel("desk-new"))
			wantPath(t, agent, "/medarbejder/sager/ny")
			setSelect(t, agent, "#system", "mitid")
			setSelect(t, agent, "#category", "identity_theft")
			fill(t, agent, "#subject", "Misbrug af MitID "+lang)
			fill(t, agent, "#name", c.Person.GivenName+" "+c.Person.FamilyName)
			fill(t, agent, "#phone", "12 34 56 78")
			click(t, agent, sel("desk-new-submit"))
			casePath := currentPath(t, agent)
			ref := strings.TrimPrefix(casePath, "/medarbejder/sager/")
			if len(ref) != 6 {
				t.Fatalf("after the new case on %s: %s", casePath, clip(mainText(t, agent), 300))
			}

			// The citizen card, worked from the case (a call, not yet tied to a MitID). Its
			// address shows only the button that opens it: opening is an audited look-up, so
			// it is a POST.
			card := "/medarbejder/borger/" + strconv.FormatInt(c.MitID.ID, 10)
			navigate(t, agent, withLang(env.URL+card+"?sag="+ref, lang))
			if !has(t, agent, sel("desk-open")) || has(t, agent, sel("desk-cpr")) {
				t.Fatalf("a GET of the card shows more than the button that opens it: %s", clip(mainText(t, agent), 300))
			}
			checkAxe(t, agent, "open the citizen card ("+lang+")")
			click(t, agent, sel("desk-open"))
			wantPath(t, agent, card)
			if got := text(t, agent, sel("desk-cpr")); strings.ReplaceAll(got, "-", "") != strings.ReplaceAll(string(c.Person.CPR), "-", "") {
				t.Errorf("the card shows CPR %q, want %q", got, c.Person.CPR)
			}
			if !has(t, agent, sel("desk-case")) {
				t.Errorf("the card does not say it works from case %s", ref)
			}
			checkAxe(t, agent, "citizen card ("+lang+")")

			// Verify via the app: pending on the card, approved on the phone, approved live.
			click(t, agent, sel("desk-verify-start"))
			wantPath(t, agent, card)
			if st := eval[string](t, agent, `document.querySelector(`+jsSel("desk-verify")+`).dataset.status`); st != "pending" {
				t.Fatalf("after starting the verification the card's status is %q: %s", st, clip(mainText(t, agent), 300))
			}
			code := text(t, agent, sel("desk-verify-code"))
			if code == "" {
				t.Fatal("the pending verification shows no code")
			}
			checkAxe(t, agent, "citizen card, verification pending ("+lang+")")
			eval[bool](t, agent, `window.e2eSamePage = true`)
			phoneRequest(t, phone, code)
			answerOnPhone(t, phone, "app-approve")
			appProblems(t, problemsP(), "P")
			waitFor(t, agent, `window.e2eSamePage === true && document.querySelector(`+jsSel("desk-verify")+`).dataset.status === 'approved'`, appWait)
			if has(t, agent, sel("desk-password-submit")+"[disabled]") {
				t.Error("the temporary password stays disabled after the approval")
			}
			checkAxe(t, agent, "citizen card, verified ("+lang+")")

			// Block the MitID with a reason.
			chooseFirst(t, agent, `input[name="reason"]`)
			click(t, agent, sel("desk-block-submit"))
			wantPath(t, agent, card)
			if !has(t, agent, sel("desk-notice")) || !has(t, agent, sel("desk-already-blocked")) {
				t.Errorf("no notice or blocked state after blocking: %s", clip(mainText(t, agent), 400))
			}
			checkAxe(t, agent, "citizen card, blocked ("+lang+")")

			// The citizen's session has ended.
			notLoggedIn(t, citizen, env, lang)

			// The case page's timeline shows the verification and the block.
			navigate(t, agent, withLang(env.URL+casePath, lang))
			wantPath(t, agent, casePath)
			entries := eval[[]string](t, agent, `[...document.querySelectorAll(`+jsSel("desk-entry")+`)].map(e => e.innerText)`)
			var verification, action string
			for _, e := range entries {
				switch {
				case strings.HasPrefix(e, tr.T("support.entry.verification")):
					verification = e
				case strings.HasPrefix(e, tr.T("support.entry.action")):
					action = e
				}
			}
			if verification == "" || action == "" {
				t.Fatalf("the timeline lacks the verification or the action:\n%s", strings.Join(entries, "\n---\n"))
			}
			if strings.Contains(verification+action, "@deskValue") {
				// views/desk.templ writes `{ T(ctx, f.LabelID) }: @deskValue(f)` inline, which
				// templ takes for text: every fact of the timeline reads "@deskValue(f)". The
				// values are then checked in the store until the page shows them.
				t.Errorf("the case timeline shows %q instead of the facts' values", "@deskValue(f)")
				timelineHas(t, env, ref)
			} else {
				for _, want := range []struct{ entry, text string }{
					{verification, tr.T("support.verify_method.app")},
					{verification, tr.T("support.verify_result.approved")},
					{action, tr.T("support.action.block")},
				} {
					if !strings.Contains(want.entry, want.text) {
						t.Errorf("the timeline entry %q lacks %q", want.entry, want.text)
					}
				}
			}
			checkAxe(t, agent, "case page after the block ("+lang+")")

			deskProblems(t, problemsA())
			// After the block the app's polling is refused with 409 (the MitID is blocked).
			appProblems(t, problemsP(), "P", "/app/anmodninger")
		})
	}
}

// TestDeskE2EWebCaseReply: tab C is the logged-in citizen, tab A the agent; the portal sends
// its mail to an SMTP server in this process.
func TestDeskE2EWebCaseReply(t *testing.T) {
	t.Parallel()
	smtpSrv := startE2ESMTP(t)
	env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.port})
	refRE := regexp.MustCompile(`^[A-Z]{6}$`)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			c := newCitizen(t, env)
			citizen := newTab(t)
			agent := newTab(t)
			desktopWindow(t, agent)
			problemsC := pageProblems(t, citizen)
			problemsA := pageProblems(t, agent)
			to := strings.ToLower(c.Person.Email)

			// The citizen writes from the contact page.
			logInWithCode(t, citizen, env, c, lang)
			navigate(t, citizen, withLang(env.URL+"/kontakt/skriv", lang))
			wantPath(t, citizen, "/kontakt/skriv")
			subject := "Svar på mail " + lang + " " + flowSuffix()
			fillCaseForm(t, citizen, subject)
			click(t, citizen, sel("contact-submit"))
			ref := text(t, citizen, sel("case-ref"))
			if !refRE.MatchString(ref) {
				t.Fatalf("no reference code shown; the page says: %s", clip(mainText(t, citizen), 300))
			}
			receipt, ok := smtpSrv.wait(func(m e2eMail) bool { return m.to(to) && m.mentions(ref) }, 15*time.Second)
			if !ok {
				t.Errorf("no receipt for %s to %s within 15 s; got: %s", ref, to, smtpSrv.summary())
			}

			// The agent searches the reference code and replies: an exact code goes straight
			// to its case.
			loginAgentInTab(t, agent, env, "e2e-web-"+lang+"@styrelsen.dk", "Arne Agent "+lang)
			navigate(t, agent, withLang(env.URL+"/medarbejder/sager?q="+ref, lang))
			wantPath(t, agent, "/medarbejder/sager/"+ref)
			reply := "Vi har nulstillet din adgang (" + lang + ")."
			typeText(t, agent, "#reply_body", reply)
			deskSubmit(t, agent, sel("desk-reply-submit"))
			wantPath(t, agent, "/medarbejder/sager/"+ref)
			if !has(t, agent, sel("notice")) {
				t.Errorf("no notice after the reply: %s", clip(mainText(t, agent), 300))
			}

			// The reply arrives, addressed to the citizen, threaded on the receipt.
			got, ok := smtpSrv.wait(func(m e2eMail) bool { return m.to(to) && strings.Contains(m.Text, reply) }, 15*time.Second)
			if !ok {
				t.Fatalf("the reply did not arrive within 15 s; got: %s", smtpSrv.summary())
			}
			if !got.mentions(ref) {
				t.Errorf("the reply mail names no reference %s: subject %q", ref, got.Subject)
			}
			if !strings.Contains(got.Subject, ref) {
				t.Errorf("the reply's subject %q lacks the reference %s", got.Subject, ref)
			}
			if receipt.Header != nil {
				id := receipt.Header.Get("Message-Id")
				if id == "" {
					t.Error("the receipt has no Message-ID")
				} else {
					// handlers/desk_case.go threads a reply on the last timeline entry with a
					// MessageID; the receipt's ID (inbound.RecordReceipt) is not on the timeline,
					// so the first reply to a web case starts a new thread.
					if irt, refs := got.Header.Get("In-Reply-To"), got.Header.Get("References"); irt != id || !strings.Contains(refs, id) {
						t.Errorf("the reply's In-Reply-To %q / References %q do not name the receipt's %q", irt, refs, id)
					}
				}
			}

			// The citizen sees the reply under my cases.
			navigate(t, citizen, withLang(env.URL+"/mitid/sager/"+ref, lang))
			wantPath(t, citizen, "/mitid/sager/"+ref)
			bodies := eval[string](t, citizen, `[...document.querySelectorAll(`+jsSel("case-entry")+`)].map(e => e.innerText).join('\n')`)
			if !strings.Contains(bodies, reply) {
				t.Errorf("my case %s does not show the reply %q:\n%s", ref, reply, bodies)
			}
			checkAxe(t, citizen, "/mitid/sager/"+ref+" with the reply ("+lang+")")

			reportUnexpected(t, problemsC(), "/kontakt/skriv")
			deskProblems(t, problemsA())
		})
	}
}

// timelineHas checks in the store that case ref's timeline holds an approved app verification
// and a block action.
func timelineHas(t testing.TB, env *apptest.Env, ref string) {
	t.Helper()
	ctx := context.Background()
	cs, err := env.App.Cases.ByRef(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := env.App.Cases.Timeline(ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var verified, blocked bool
	for _, e := range entries {
		verified = verified || e.Kind == support.EntryVerification && e.Method == support.VerifyApp && e.Result == support.VerifyApproved
		blocked = blocked || e.Kind == support.EntryAction && e.Action == support.ActionBlock
	}
	if !verified || !blocked {
		t.Errorf("case %s's timeline: approved app verification %v, block %v, want both", ref, verified, blocked)
	}
}

// e2eMail is one message the test SMTP server accepted.
type e2eMail struct {
	Rcpt    []string
	Header  mail.Header
	Subject string
	Text    string // the whole body, undecoded beyond quoted-printable soft breaks
}

func (m e2eMail) to(addr string) bool {
	for _, r := range m.Rcpt {
		if strings.EqualFold(r, addr) {
			return true
		}
	}
	return false
}

func (m e2eMail) mentions(s string) bool {
	return strings.Contains(m.Subject, s) || strings.Contains(m.Text, s)
}

// e2eSMTP is a minimal SMTP server (emersion/go-smtp) that records every message.
type e2eSMTP struct {
	port int
	mu   sync.Mutex
	msgs []e2eMail
}

func startE2ESMTP(t *testing.T) *e2eSMTP {
	t.Helper()
	s := &e2eSMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &e2eSession{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return s
}

// wait polls until a message matches, for at most timeout.
func (s *e2eSMTP) wait(match func(e2eMail) bool, timeout time.Duration) (e2eMail, bool) {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if match(m) {
				s.mu.Unlock()
				return m, true
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			return e2eMail{}, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *e2eSMTP) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(s.msgs)) + " messages")
	for _, m := range s.msgs {
		b.WriteString("; " + strings.Join(m.Rcpt, ",") + ": " + m.Subject)
	}
	return b.String()
}

type e2eSession struct {
	srv *e2eSMTP
	to  []string
}

func (s *e2eSession) Reset()                                    { s.to = nil }
func (s *e2eSession) Logout() error                             { return nil }
func (s *e2eSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *e2eSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }

func (s *e2eSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	// Undo quoted-printable soft line breaks and the encodings of the characters a test looks
	// for, enough to find a reference code and a sentence of the reply.
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	text = strings.ReplaceAll(text, "=\n", "")
	text = qpHex.ReplaceAllStringFunc(text, func(h string) string {
		n, _ := strconv.ParseUint(h[1:], 16, 8)
		return string([]byte{byte(n)})
	})
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, e2eMail{Rcpt: append([]string(nil), s.to...), Header: m.Header, Subject: subject, Text: text})
	s.srv.mu.Unlock()
	return nil
}

var qpHex = regexp.MustCompile(`=[0-9A-F]{2}`)
