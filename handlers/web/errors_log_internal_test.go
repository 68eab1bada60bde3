package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestOnlyServerErrorsLogged: the error handler logs "request failed" for the portal's own
// failures only; a 403 of a route the person's roles may not use (a citizen opening a desk
// page) is the person's way, not an error the operators must look at.
func TestOnlyServerErrorsLogged(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	s, _ := newTestSite(t, &now)
	tests := []struct {
		name   string
		err    error
		status int
		logged bool
	}{
		{"no access", &NoAccess{Allowed: []Role{Agent}}, http.StatusForbidden, false},
		{"not found", echo.ErrNotFound, http.StatusNotFound, false},
		{"the portal's own failure", errors.New("boom"), http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			s.Log = slog.New(slog.NewJSONHandler(&log, nil))
			e := echo.New()
			e.HTTPErrorHandler = s.HandleError
			e.GET("/side", func(echo.Context) error { return tt.err }, s.PageContext)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/side", nil))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if got := strings.Contains(log.String(), `"level":"ERROR"`); got != tt.logged {
				t.Errorf("logged an error: %v, want %v; log:\n%s", got, tt.logged, log.String())
			}
		})
	}
}
