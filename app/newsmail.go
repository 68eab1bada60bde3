package app

import (
	"bytes"
	"context"
	"html/template"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign/newsletter"
	"mitidportal/locales"
	"mitidportal/mail"
	"mitidportal/markdown"
)

// Where the newsletter's links point (handlers/routes.go): a GET shows a button, the POST acts.
const (
	newsConfirmPath     = "/nyhedsbrev/bekraeft/"
	newsUnsubscribePath = "/nyhedsbrev/afmeld/"
)

// newsMail writes the newsletter's mails into the outbox, in the transaction of the change
// that sends them (newsletter.Hooks), in the subscriber's language.
type newsMail struct {
	outbox  *mail.Outbox
	catalog *locales.Catalog
	baseURL string
	loc     *time.Location
}

// subscription queues a confirmation link, an "already subscribed" notice or an unsubscribe
// link. The confirmation token exists only here and in the mail: the database keeps its hash
// and the outbox blanks the body once sent.
func (m *newsMail) subscription(ctx context.Context, tx pgx.Tx, s newsletter.Mail) error {
	tr := m.catalog.For(s.Lang)
	data := map[string]any{"Email": s.Email, "URL": m.baseURL + newsUnsubscribePath + url.PathEscape(s.Token)}
	kind := "news." + s.Kind // the outbox's kind: news.confirm, news.already, news.unsubscribe
	if s.Kind == newsletter.MailConfirm {
		data["URL"] = m.baseURL + newsConfirmPath + url.PathEscape(s.Token)
		data["Expires"] = s.Expires.In(m.loc).Format("02-01-2006 15:04")
	}
	_, err := m.outbox.Enqueue(ctx, tx, mail.Message{To: s.Email, Subject: tr.T("newsletter.mail."+s.Kind+"_subject", data),
		Text: tr.T("newsletter.mail."+s.Kind+"_text", data), Kind: kind, Secret: s.Kind == newsletter.MailConfirm})
	return err
}

// issue queues one issue to one subscriber with the one-click unsubscribe headers (RFC 8058).
func (m *newsMail) issue(ctx context.Context, tx pgx.Tx, is newsletter.IssueMail) error {
	r := m.compose(is)
	_, err := m.outbox.Enqueue(ctx, tx, mail.Message{To: is.Email, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Kind: "news.issue", ListUnsubscribe: r.Unsubscribe})
	return err
}

// compose renders an issue as sent: the editor's Markdown as sanitised HTML in the mail
// layout, the Markdown source as the text part, and the unsubscribe link in both.
func (m *newsMail) compose(is newsletter.IssueMail) newsletter.Rendered {
	tr := m.catalog.For(is.Lang)
	unsubscribe := m.baseURL + newsUnsubscribePath + url.PathEscape(is.Unsubscribe)
	footer := tr.T("newsletter.mail.footer", map[string]any{"URL": unsubscribe})
	data := map[string]any{"Lang": is.Lang, "Subject": is.Subject,
		"Sender": tr.T("newsletter.mail.sender"), "Body": markdown.HTML(is.Body),
		"Unsubscribe": unsubscribe, "UnsubscribeLabel": tr.T("newsletter.mail.footer_link"), "Footer": footer}
	var doc, content bytes.Buffer
	// The template is fixed and its data are strings: it fails only on a broken build.
	if err := newsLayout.Execute(&doc, data); err != nil {
		panic(err)
	}
	if err := newsLayout.ExecuteTemplate(&content, "content", data); err != nil {
		panic(err)
	}
	return newsletter.Rendered{Subject: is.Subject, HTML: doc.String(), Content: content.String(),
		Text: is.Body + "\n\n-- \n" + footer, Unsubscribe: unsubscribe}
}

// newsLayout is the issue mails' HTML: one column, the styles in the head (mail clients that
// drop them show plain, readable HTML), the link to unsubscribe visible under the text. Its
// "content" is what the editors' preview shows inside the portal's page.
var newsLayout = template.Must(template.New("news").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Subject}}</title>
<style>
body{margin:0;padding:0;background:#f5f5f5;font-family:"IBM Plex Sans",Arial,sans-serif;color:#1a1a1a;line-height:1.5}
.mail{max-width:640px;margin:0 auto;background:#fff;padding:24px 32px}
.sender{font-weight:600;color:#0059b3}
a{color:#0059b3}
.footer{font-size:14px;color:#545454;border-top:1px solid #ccc;margin-top:32px;padding-top:16px}
</style></head>
<body>{{template "content" .}}</body></html>
{{define "content"}}<div class="mail">
<p class="sender">{{.Sender}}</p>
<h1>{{.Subject}}</h1>
{{.Body}}
<div class="footer"><p>{{.Footer}}</p>
<p><a href="{{.Unsubscribe}}">{{.UnsubscribeLabel}}</a></p></div>
</div>{{end}}`))

// SendNewsletter sends the issues being sent now, as the job does (tests and the demo need not
// wait for the minute).
func (a *App) SendNewsletter(ctx context.Context) (int, error) { return a.Newsletter.Run(ctx) }
