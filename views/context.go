// Package views holds the portal's templ components. Components are pure: a view model in,
// HTML out. What every page needs (translator, CSRF token, CSP nonce, asset URLs, the footer's
// support status, the current user) comes from the request context through the typed helpers
// in this file, set once per request by the handlers.
package views

import (
	"context"
	"net/url"

	"mitidportal/locales"
)

// Page is the per-request context every component may read.
type Page struct {
	T     *locales.Translator
	Nonce string
	// CSRF returns the session's CSRF token, creating the session on first use, so anonymous
	// visitors get a session row only on pages that hold a form.
	CSRF func() string
	// Asset maps a logical asset name to its content-hashed URL.
	Asset func(name string) string
	// URL is the request URL, for the language switch's links back to the same page.
	URL    *url.URL
	Footer Footer
	// FooterHTML is PageFooter as rendered for this language and Footer, or "" to render it
	// with the page: the same for everyone, the web layer renders it once per language and
	// minute.
	FooterHTML string
	User       *User
	Nav        []NavItem
	Demo       bool
	Request    string // request ID, shown on error pages so support can find the log line
}

// Footer is what the footer shows on every page.
type Footer struct {
	SupportPhone string
	BlockPhone   string
	Open         bool
	// Until is the local clock time support closes (when open) or the day and time it next
	// opens (when closed), already formatted for the page's language.
	Until string
	// ClosedFor is the message ID of today's holiday when support is closed for one.
	ClosedFor string
}

// User is the logged-in person as the layout shows them.
type User struct {
	Name string
}

// NavItem is one entry of the header's navigation.
type NavItem struct {
	Label  string
	Href   string
	Active bool
}

type pageKey struct{}

// WithPage stores p in ctx.
func WithPage(ctx context.Context, p *Page) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

// PageOf returns the page context; components rendered without one (in tests) get defaults.
func PageOf(ctx context.Context) *Page {
	if p, ok := ctx.Value(pageKey{}).(*Page); ok {
		return p
	}
	return &Page{CSRF: func() string { return "" }, Asset: func(string) string { return "" }, URL: &url.URL{Path: "/"}}
}

// T translates id in the request's language.
func T(ctx context.Context, id string, data ...map[string]any) string {
	p := PageOf(ctx)
	if p.T == nil {
		return id
	}
	return p.T.T(id, data...)
}

// Lang is the request's language code.
func Lang(ctx context.Context) string {
	if p := PageOf(ctx); p.T != nil {
		return p.T.Lang
	}
	return locales.Default
}

// LangURL is the current page's URL with the language switched to lang.
func LangURL(ctx context.Context, lang string) string {
	u := *PageOf(ctx).URL
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}
