package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/views"
)

// TestFooterRenderedOncePerMinute: a page ends with the footer rendered once for its language
// and minute, byte for byte the page the layout renders with its own footer, and the next
// minute's footer when the minute turns (support closes at 20.00 on a Tuesday).
func TestFooterRenderedOncePerMinute(t *testing.T) {
	now := time.Date(2026, 11, 24, 19, 59, 0, 0, time.UTC)
	s, _ := newTestSite(t, &now)
	var own, cached string
	e := echo.New()
	e.Use(s.SecurityHeaders)
	e.GET("/side", func(c echo.Context) error {
		page := *StateOf(c).Page
		cached, page.FooterHTML = page.FooterHTML, ""
		var b strings.Builder
		if err := views.Layout("x").Render(views.WithPage(context.Background(), &page), &b); err != nil {
			return err
		}
		own = b.String()
		return s.Render(c, http.StatusOK, views.Layout("x"))
	}, s.PageContext)
	for _, step := range []struct {
		lang string
		at   time.Time
		want string
	}{
		{"da", now, "Åben nu"},
		{"en", now, "Open now"},
		{"da", now.Add(59 * time.Second), "Åben nu"},
		{"da", now.Add(time.Minute), "Lukket nu"},
		{"en", now.Add(time.Minute + 30*time.Second), "Closed now"},
	} {
		now = step.at
		r := httptest.NewRequest(http.MethodGet, "/side", nil)
		r.AddCookie(&http.Cookie{Name: "lang", Value: step.lang})
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s %s: status %d", step.lang, step.at.Format("15.04.05"), w.Code)
		}
		if cached == "" || !strings.Contains(cached, step.want) || !strings.HasSuffix(w.Body.String(), cached+"</body></html>") {
			t.Errorf("%s %s: the page's footer is %q, want the rendered footer saying %q", step.lang, step.at.Format("15.04.05"), cached, step.want)
		}
		if w.Body.String() != own {
			t.Errorf("%s %s: the page is\n%s\nthe layout with its own footer is\n%s", step.lang, step.at.Format("15.04.05"), w.Body.String(), own)
		}
	}
}
