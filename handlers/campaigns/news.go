package campaigns

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign/newsletter"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The newsletter's public pages: subscribing, the mailed links (confirm, unsubscribe), and
// asking for an unsubscribe link. Both forms answer with the same receipt whatever the
// address's state, so the pages tell nobody who is subscribed.

func newsLangs() []views.Option {
	return []views.Option{{Value: "da", LabelID: "newsletter.lang.da"}, {Value: "en", LabelID: "newsletter.lang.en"}}
}

// NewsPage shows the two forms; the newsletter's language starts as the page's.
func (h *Handlers) NewsPage(c echo.Context) error {
	f := views.Form{Values: map[string]string{"lang": web.StateOf(c).Lang}}
	return h.Render(c, http.StatusOK, views.NewsPage(views.NewsPageView{Form: f, Langs: newsLangs()}))
}

// newsFieldOf is the field each rule of the forms is shown at.
func newsFieldOf(err error, email string) string {
	if errors.Is(err, newsletter.ErrLangInvalid) {
		return "lang"
	}
	return email // the address, and the throttle: the address the mails would go to
}

// NewsSubscribe stores a pending subscription and mails its confirmation link (counted per
// client address and per address first), then shows the receipt.
func (h *Handlers) NewsSubscribe(c echo.Context) error {
	f := web.FormOf(c, "email", "lang")
	again := func() error {
		return h.Render(c, web.StatusInvalid, views.NewsPage(views.NewsPageView{Form: f, Langs: newsLangs()}))
	}
	web.Require(&f, f.Values, [2]string{"email", "newsletter.err.email_required"},
		[2]string{"lang", newsletter.ErrLangInvalid.MsgID})
	if f.HasErrors() {
		return again()
	}
	err := h.Newsletter.Subscribe(c.Request().Context(), h.ClientAddr(c), f.Values["email"], f.Values["lang"])
	if err != nil {
		return h.FieldOrError(c, &f, err, newsFieldOf(err, "email"), again)
	}
	return h.Render(c, http.StatusOK, views.NewsReceipt(views.NewsReceiptView{Email: strings.ToLower(f.Values["email"])}))
}

// NewsRequestUnsubscribe mails the unsubscribe link to a subscribed address; every valid
// address gets the same receipt.
func (h *Handlers) NewsRequestUnsubscribe(c echo.Context) error {
	f := web.FormOf(c, "unsub_email")
	f.Values["lang"] = web.StateOf(c).Lang
	again := func() error {
		return h.Render(c, web.StatusInvalid, views.NewsPage(views.NewsPageView{Form: f, Langs: newsLangs()}))
	}
	web.Require(&f, f.Values, [2]string{"unsub_email", "newsletter.err.email_required"})
	if f.HasErrors() {
		return again()
	}
	if err := h.Newsletter.RequestUnsubscribe(c.Request().Context(), h.ClientAddr(c), f.Values["unsub_email"]); err != nil {
		return h.FieldOrError(c, &f, err, "unsub_email", again)
	}
	return h.Render(c, http.StatusOK, views.NewsReceipt(views.NewsReceiptView{
		Email: strings.ToLower(f.Values["unsub_email"]), Unsubscribe: true}))
}

// NewsConfirmPage is where the confirmation link leads: a button, since a GET changes nothing
// and mail scanners follow links. A used, expired or unknown link is a 404 page.
func (h *Handlers) NewsConfirmPage(c echo.Context) error {
	s, err := h.Newsletter.ConfirmTarget(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.NewsConfirm(views.NewsTokenView{Email: s.Email, Action: c.Request().URL.Path}))
}

// NewsConfirm activates the subscription; the token in the path authorises it (TokenInURL)
// and works once.
func (h *Handlers) NewsConfirm(c echo.Context) error {
	s, err := h.Newsletter.Confirm(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.NewsConfirm(views.NewsTokenView{Email: s.Email, Done: true}))
}

// NewsUnsubscribePage is where an issue's unsubscribe link leads: a button.
func (h *Handlers) NewsUnsubscribePage(c echo.Context) error {
	s, err := h.Newsletter.UnsubscribeTarget(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.NewsUnsubscribe(views.NewsTokenView{Email: s.Email, Action: c.Request().URL.Path}))
}

// NewsUnsubscribe ends the subscription. It is the button's POST and RFC 8058's one-click POST
// from the mail client, which carries no cookie and no CSRF token: the route is TokenInURL.
// Unsubscribing twice shows the same receipt.
func (h *Handlers) NewsUnsubscribe(c echo.Context) error {
	s, err := h.Newsletter.Unsubscribe(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return h.Render(c, http.StatusOK, views.NewsUnsubscribe(views.NewsTokenView{Email: s.Email, Done: true}))
}
