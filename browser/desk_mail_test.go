package browser_test

import (
	"context"
	"io"
	"log/slog"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/inbound"
	"mitidportal/locales"
	"mitidportal/mail/mailtest"
	"mitidportal/support"
)

// TestDeskMailIn (issue 9, "Done when"): a mail without a reference, delivered through the real
// inbound SMTP listener, opens a case with a receipt; the agent finds it in the queue, takes it
// and replies; the citizen answers the reply by mail; the case is open again and marked unread
// on the queue and the case page until the agent marks it read. Every desk page passes axe.
func TestDeskMailIn(t *testing.T) {
	t.Parallel()
	out := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: out.Port})
	in := inbound.NewServer(env.App.Inbound, "localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := in.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	refInSubject := regexp.MustCompile(`\[([A-Z]{6})\]`)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			tr := cat.For(lang)
			agent := newTab(t)
			desktopWindow(t, agent)
			problems := pageProblems(t, agent)
			suffix := flowSuffix()
			citizen := "mail-" + lang + "-" + strings.ToLower(suffix) + "@example.dk"
			agentMail := "mail-in-" + lang + "@styrelsen.dk"
			send := func(subject, msgID, inReplyTo, text string) {
				t.Helper()
				head := "From: Mette Mail <" + citizen + ">\r\nTo: support@localhost\r\nSubject: " + subject +
					"\r\nMessage-ID: " + msgID + "\r\nContent-Language: " + lang +
					"\r\nContent-Type: text/plain; charset=utf-8\r\n"
				if inReplyTo != "" {
					head += "In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n"
				}
				if err := smtp.SendMail(in.Addr(), nil, citizen, []string{"support@localhost"}, []byte(head+"\r\n"+text+"\r\n")); err != nil {
					t.Fatalf("the inbound listener refused the mail: %v", err)
				}
			}

			// A mail without a reference opens a case; the receipt answers it with the reference.
			first := "<first-" + lang + "-" + suffix + "@example.dk>"
			send("Kodeviseren er gået i stykker "+suffix, first, "", "Den viser ingen tal.")
			receipt, ok := out.Wait(func(m mailtest.Message) bool { return m.SentTo(citizen) && m.Header.Get("In-Reply-To") == first }, 15*time.Second)
			if !ok {
				t.Fatalf("no receipt threaded on the mail within 15 s; got: %s", out.Summary())
			}
			m := refInSubject.FindStringSubmatch(receipt.Subject)
			if m == nil {
				t.Fatalf("the receipt's subject %q has no [REF]", receipt.Subject)
			}
			ref, path := m[1], "/medarbejder/sager/"+m[1]

			// The agent finds it among the new cases, takes it and replies.
			loginAgentInTab(t, agent, env, agentMail, "Mads Mail "+lang)
			navigate(t, agent, withLang(env.URL+"/medarbejder/sager", lang))
			row := `[data-testid="desk-row"][data-ref="` + ref + `"]`
			if !has(t, agent, row) {
				t.Fatalf("the queue does not list case %s: %s", ref, clip(mainText(t, agent), 400))
			}
			checkAxe(t, agent, "queue with the mail's case ("+lang+")")
			click(t, agent, row+" "+sel("desk-row-link"))
			wantPath(t, agent, path)
			if ch := text(t, agent, sel("desk-fact-desk.field.channel")); ch != tr.T(support.ChannelEmail.MsgID()) {
				t.Errorf("channel %q, want e-mail", ch)
			}
			deskSubmit(t, agent, sel("desk-assign-me"))
			reply := "Vi sender en ny kodeviser (" + lang + ")."
			typeText(t, agent, "#reply_body", reply)
			deskSubmit(t, agent, sel("desk-reply-submit"))
			wantPath(t, agent, path)
			checkAxe(t, agent, "case page after the reply ("+lang+")")
			// A reply sets "waiting for the citizen" unless the agent chose otherwise.
			if cs, err := env.App.Cases.ByRef(ctx, ref); err != nil {
				t.Fatal(err)
			} else if cs.Status != support.StatusWaiting {
				t.Errorf("status %s after the reply, want %s", cs.Status, support.StatusWaiting)
			}
			sent, ok := out.Wait(func(m mailtest.Message) bool { return m.SentTo(citizen) && strings.Contains(m.Text, reply) }, 15*time.Second)
			if !ok {
				t.Fatalf("the reply did not arrive within 15 s; got: %s", out.Summary())
			}

			// The citizen answers the reply by mail: the case is open again and unread.
			send("Re: "+sent.Subject, "<answer-"+lang+"-"+suffix+"@example.dk>", sent.Header.Get("Message-Id"), "Tak, den er modtaget.")
			navigate(t, agent, withLang(env.URL+"/medarbejder/sager?ko=mine", lang))
			if !has(t, agent, row+" "+sel("desk-unread")) {
				t.Errorf("the queue row of %s has no unread marker: %s", ref, clip(mainText(t, agent), 400))
			}
			checkAxe(t, agent, "queue with an unread case ("+lang+")")
			navigate(t, agent, withLang(env.URL+path, lang))
			if st := text(t, agent, sel("desk-fact-desk.field.status")); st != tr.T(support.StatusOpen.MsgID()) {
				t.Errorf("status %q after the citizen's answer, want %q", st, tr.T(support.StatusOpen.MsgID()))
			}
			if !has(t, agent, sel("desk-unread-bar")) {
				t.Fatalf("the case page shows no unread marker: %s", clip(mainText(t, agent), 400))
			}
			if !strings.Contains(mainText(t, agent), "Tak, den er modtaget.") {
				t.Error("the citizen's answer is not on the timeline")
			}
			checkAxe(t, agent, "case page, unread ("+lang+")")
			if _, ok := out.Wait(func(m mailtest.Message) bool { return m.SentTo(agentMail) && strings.Contains(m.Subject, ref) }, 15*time.Second); !ok {
				t.Errorf("the assignee was not told of the answer; got: %s", out.Summary())
			}
			click(t, agent, sel("desk-mark-read"))
			wantPath(t, agent, path)
			if has(t, agent, sel("desk-unread-bar")) {
				t.Error("the marker stays after mark as read")
			}
			checkAxe(t, agent, "case page, read ("+lang+")")
			deskProblems(t, problems())
		})
	}
}
