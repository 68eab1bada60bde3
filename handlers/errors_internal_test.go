package handlers

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/assets"
	"mitidportal/fault"
	"mitidportal/identity"
	"mitidportal/locales"
	"mitidportal/session"
	"mitidportal/staff"
	"mitidportal/support"
)

// TestRefusalsMapByKind: a domain's refusal that no handler turned into a field's message gets
// the status of its kind from the one table, and its own message; a plain error stays a 500.
func TestRefusalsMapByKind(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	static, err := assets.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	s := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Catalog: cat, Assets: static,
		Sessions: session.NewStore(nil, session.Config{Idle: time.Hour, Absolute: time.Hour}),
		Metrics:  prometheus.NewRegistry(), Schedule: support.DefaultSchedule(loc)})
	tests := []struct {
		name   string
		err    error
		status int
		text   string // a piece of the Danish message shown
		retry  string
	}{
		{"forgotten not found", fmt.Errorf("card: %w", identity.ErrNotFound), 404, "kunne ikke findes", ""},
		{"case not found", support.ErrNotFound, 404, "Sagen kunne ikke findes", ""},
		{"staff not found", staff.ErrNotFound, 404, "Medarbejderkontoen", ""},
		{"conflict", support.ErrClosed, 409, "", ""},
		{"forbidden", identity.ErrMitIDBlocked, 403, "", ""},
		{"busy", identity.ErrBusy, 503, "travlt", "2"},
		{"invalid", identity.ErrCPRInvalid, 400, "CPR", ""},
		{"throttled with a wait", fault.New("x", fault.Throttled, "identity.err.throttled").After(90 * time.Second), 429, "", "90"},
		{"the portal's own failure", fmt.Errorf("boom"), 500, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			rec := httptest.NewRecorder()
			c := s.echo.NewContext(req, rec)
			s.site.HandleError(tt.err, c)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.text != "" && !strings.Contains(rec.Body.String(), tt.text) {
				t.Errorf("page lacks %q", tt.text)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retry {
				t.Errorf("Retry-After %q, want %q", got, tt.retry)
			}
		})
	}
}
