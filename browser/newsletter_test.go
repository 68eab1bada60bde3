package browser_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mitidportal/app/apptest"
	"mitidportal/campaign/newsletter"
	"mitidportal/mail/mailtest"
	"mitidportal/session"
)

var newsConfirmURL = regexp.MustCompile(`http://\S+/nyhedsbrev/bekraeft/[A-Za-z0-9]+`)

// TestNewsletterStory (issue 11, "Done when"): a visitor subscribes to the newsletter; the
// confirmation mail arrives at the test SMTP server; the link's GET shows a button and changes
// nothing, its POST confirms; an editor writes an issue, previews it as the mail and sends it
// after the confirmation step; the issue arrives in the subscriber's language with
// List-Unsubscribe and List-Unsubscribe-Post; a one-click POST to that URL, as a mail client
// makes it (no cookie, no CSRF token), unsubscribes, and the next issue does not reach them.
// Every page is checked with axe, in Danish and English.
func TestNewsletterStory(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	env := apptest.New(t, apptest.Options{SMTPPort: smtpSrv.Port})
	ctx := context.Background()
	editor, _, err := env.App.Server.Staff.Create(ctx, "nina@styrelsen.dk", "Nina Redaktør", []string{"campaign_editor"})
	if err != nil {
		t.Fatal(err)
	}
	status := func(addr string) string {
		var s string
		if err := env.App.Pool.QueryRow(ctx, `SELECT status FROM newsletter_subscriber WHERE email = $1`, addr).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			suffix := flowSuffix()
			addr := fmt.Sprintf("abonnent-%s-%s@demo.mitid.example", lang, strings.ToLower(suffix))

			// The visitor subscribes.
			tab := newTab(t)
			problems := pageProblems(t, tab)
			navigate(t, tab, withLang(env.URL+"/nyhedsbrev", lang))
			checkAxe(t, tab, "/nyhedsbrev ("+lang+")")
			fill(t, tab, sel("news-email"), addr)
			do(t, tab, chromedp.Click(chromedp.CSS(`label[for="`+langRadio(lang)+`"]`)))
			click(t, tab, sel("news-subscribe"))
			if !has(t, tab, sel("news-receipt")) {
				t.Fatalf("no receipt: %s", clip(mainText(t, tab), 300))
			}
			checkAxe(t, tab, "/nyhedsbrev receipt ("+lang+")")
			got, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(addr) }, 15*time.Second)
			if !ok {
				t.Fatalf("no confirmation mail within 15 s: %s", smtpSrv.Summary())
			}
			link := newsConfirmURL.FindString(got.Text)
			if link == "" {
				t.Fatalf("no confirmation link in %q", got.Text)
			}
			navigate(t, tab, withLang(link, lang))
			if !has(t, tab, sel("news-confirm")) || status(addr) != "pending" {
				t.Fatalf("the link's page: %s; status %s", clip(mainText(t, tab), 300), status(addr))
			}
			checkAxe(t, tab, "/nyhedsbrev/bekraeft ("+lang+")")
			click(t, tab, sel("news-confirm"))
			if !has(t, tab, sel("news-confirmed")) || status(addr) != "active" {
				t.Fatalf("not confirmed: %s", clip(mainText(t, tab), 300))
			}
			checkAxe(t, tab, "/nyhedsbrev/bekraeft done ("+lang+")")
			reportUnexpected(t, problems(), "/nyhedsbrev")

			// The editor writes, previews and sends an issue.
			etab := newTab(t)
			desktopWindow(t, etab)
			eproblems := pageProblems(t, etab)
			setSessionCookie(t, etab, env, env.LoginAs(t, session.Subject{Kind: session.KindStaff, ID: editor.ID,
				Roles: editor.Roles, Level: "high", Name: editor.Name}))
			navigate(t, etab, withLang(env.URL+"/redaktion/nyhedsbreve", lang))
			checkAxe(t, etab, "/redaktion/nyhedsbreve ("+lang+")")
			click(t, etab, sel("news-new"))
			checkAxe(t, etab, "/redaktion/nyhedsbreve/ny ("+lang+")")
			fill(t, etab, sel("news_subject_da"), "Nyt om MitID "+suffix)
			// The text areas start empty (fill clears first, which an empty text area refuses).
			do(t, etab, chromedp.SendKeys(chromedp.CSS(sel("news_body_da")), "Husk **fristen** på 30 dage."))
			fill(t, etab, sel("news_subject_en"), "News about MitID "+suffix)
			do(t, etab, chromedp.SendKeys(chromedp.CSS(sel("news_body_en")), "Remember the **30-day** deadline."))
			click(t, etab, sel("news-save"))
			if !has(t, etab, sel("news-saved")) {
				t.Fatalf("not saved: %s", clip(mainText(t, etab), 500))
			}
			checkAxe(t, etab, "issue draft ("+lang+")")
			click(t, etab, sel("news-preview-link"))
			if html := eval[string](t, etab, `document.querySelector(`+jsSel("news-preview-html")+`).innerHTML`); !strings.Contains(html, "<strong>") {
				t.Errorf("the preview does not show the mail's HTML: %s", clip(html, 500))
			}
			checkAxe(t, etab, "issue preview ("+lang+")")
			navigate(t, etab, strings.Replace(eval[string](t, etab, `location.href`), "/vis", "/send", 1))
			checkAxe(t, etab, "issue send confirmation ("+lang+")")
			click(t, etab, sel("news-send-confirm"))
			if !has(t, etab, sel("news-progress")) {
				t.Fatalf("no progress: %s", clip(mainText(t, etab), 500))
			}
			checkAxe(t, etab, "issue sending ("+lang+")")
			reportUnexpected(t, eproblems(), "/redaktion/nyhedsbreve")
			if _, err := env.App.SendNewsletter(ctx); err != nil {
				t.Fatal(err)
			}

			// The issue arrives in the subscriber's language with the one-click headers.
			subject := map[string]string{"da": "Nyt om MitID ", "en": "News about MitID "}[lang] + suffix
			issue, ok := smtpSrv.Wait(func(m mailtest.Message) bool { return m.SentTo(addr) && m.Subject == subject }, 15*time.Second)
			if !ok {
				t.Fatalf("no issue %q within 15 s: %s", subject, smtpSrv.Summary())
			}
			if p := issue.Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", p)
			}
			unsub := strings.TrimSuffix(strings.TrimPrefix(issue.Header.Get("List-Unsubscribe"), "<"), ">")
			if !strings.HasPrefix(unsub, env.URL+"/nyhedsbrev/afmeld/") || !strings.Contains(issue.Text, unsub) ||
				!strings.Contains(issue.HTML, "<strong>") {
				t.Fatalf("List-Unsubscribe %q, or the body lacks the link or the HTML part:\n%s\n%s", unsub, clip(issue.Text, 2000), clip(issue.HTML, 2000))
			}
			// The unsubscribe page behind the link passes axe too; the mail client's POST acts.
			utab := newTab(t)
			navigate(t, utab, withLang(unsub, lang))
			if !has(t, utab, sel("news-unsubscribe")) {
				t.Errorf("the unsubscribe page shows no button: %s", clip(mainText(t, utab), 300))
			}
			checkAxe(t, utab, "/nyhedsbrev/afmeld ("+lang+")")
			res, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || status(addr) != "unsubscribed" {
				t.Fatalf("one-click POST: %d, status %s", res.StatusCode, status(addr))
			}

			// The next issue does not reach them.
			next, err := env.App.Newsletter.Create(ctx, editor.ID, newsletter.Text{SubjectDA: "Næste " + suffix, BodyDA: "Tekst",
				SubjectEN: "Next " + suffix, BodyEN: "Text"})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.App.Newsletter.Send(ctx, editor.ID, next.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.SendNewsletter(ctx); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE to_address = $1 AND subject LIKE '%' || $2`,
				addr, suffix).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d mails of the issues to the unsubscribed address, want only the first (%v)", n, err)
			}
		})
	}
}

// langRadio is the id of the subscribe form's language radio for lang (views.radioID).
func langRadio(lang string) string {
	if lang == "da" {
		return "lang"
	}
	return "lang-2"
}
