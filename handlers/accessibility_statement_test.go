package handlers_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/locales"
)

// TestAccessibilityStatement: the statement follows the public template (status, what is not
// yet accessible, how it was tested and when, feedback, enforcement) in both languages, and
// its way to report a problem opens the contact form with the accessibility category chosen.
func TestAccessibilityStatement(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, date string }{{"da", "6. december 2026"}, {"en", "6 December 2026"}} {
		t.Run(c.lang, func(t *testing.T) {
			tr := cat.For(c.lang)
			res, body := get(t, env, "/tilgaengelighed?lang="+c.lang, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			for _, id := range []string{"accessibility.status.heading", "accessibility.known.heading", "accessibility.burden.heading",
				"accessibility.made.heading", "accessibility.feedback.heading", "accessibility.enforcement.heading",
				"accessibility.known.keyboard"} {
				if !strings.Contains(body, html.EscapeString(tr.T(id))) {
					t.Errorf("the statement lacks %q", tr.T(id))
				}
			}
			if !strings.Contains(body, c.date) {
				t.Errorf("the statement does not give the date of the last test as %q", c.date)
			}
			if !strings.Contains(body, `href="/kontakt/skriv?kategori=accessibility"`) {
				t.Fatal("no way to report a problem")
			}
			_, form := get(t, env, "/kontakt/skriv?kategori=accessibility&lang="+c.lang, nil)
			if !strings.Contains(form, `<option value="accessibility" selected>`) {
				t.Error("the contact form does not have the accessibility category chosen")
			}
			if _, form := get(t, env, "/kontakt/skriv?kategori=%00x&lang="+c.lang, nil); strings.Contains(form, " selected>") &&
				!strings.Contains(form, `<option value="mitid" selected>`) {
				t.Error("an unknown category was chosen")
			}
		})
	}
}
