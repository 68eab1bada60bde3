package browser_test

import (
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
)

// End-to-end walks of the support desk (issue 4, "Done when"): an agent takes a call, verifies
// the caller with the app in a second browser context, blocks the MitID and the citizen's
// session ends; a citizen's web case gets a reply that arrives at a real SMTP server in the
// test process and shows under "my cases".

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
	// arrived is closed, and replaced, when a message arrives: wait wakes on it instead of
	// polling.
	arrived chan struct{}
}

func startE2ESMTP(t *testing.T) *e2eSMTP {
	t.Helper()
	s := &e2eSMTP{arrived: make(chan struct{})}
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

// wait waits until a message matches, for at most timeout.
func (s *e2eSMTP) wait(match func(e2eMail) bool, timeout time.Duration) (e2eMail, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if match(m) {
				s.mu.Unlock()
				return m, true
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			return e2eMail{}, false
		}
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
	close(s.srv.arrived)
	s.srv.arrived = make(chan struct{})
	s.srv.mu.Unlock()
	return nil
}

var qpHex = regexp.MustCompile(`=[0-9A-F]{2}`)
