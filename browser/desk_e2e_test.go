package browser_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/mail/mailtest"
)

// End-to-end walks of the support desk (issue 4, "Done when"): an agent takes a call, verifies
// the caller with the app in a second browser context, blocks the MitID and the citizen's
// session ends; a citizen's web case gets a reply that arrives at a real SMTP server in the
// test process and shows under "my cases".

// TestDeskE2EWebCaseReply: tab C is the logged-in citizen, tab A the agent; the portal sends
// its mail to an SMTP server in this process.
func TestDeskE2EWebCaseReply(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.Port})
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
			receipt, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(to) && m.Mentions(ref) }, 15*time.Second)
			if !ok {
				t.Errorf("no receipt for %s to %s within 15 s; got: %s", ref, to, smtpSrv.Summary())
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
			got, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(to) && strings.Contains(m.Text, reply) }, 15*time.Second)
			if !ok {
				t.Fatalf("the reply did not arrive within 15 s; got: %s", smtpSrv.Summary())
			}
			if !got.Mentions(ref) {
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
