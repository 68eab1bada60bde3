package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"mitidportal/input"
)

// TestRefusedTextIsTheClientsFault: PostgreSQL refusing text is a 400 as a last resort; other
// database errors stay server errors.
func TestRefusedTextIsTheClientsFault(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{{"22021", true}, {"22P05", true}, {"22001", true}, {"23505", false}, {"40001", false}}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := fmt.Errorf("store: %w", &pgconn.PgError{Code: tt.code})
			if got := refusedText(err); got != tt.want {
				t.Errorf("refusedText(%s) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

// FuzzFormDecoding posts any body to a form and reads it the way every handler does: it must
// never panic, every value a handler gets must be text PostgreSQL takes, and a value that
// breaks a rule must come with a field error.
func FuzzFormDecoding(f *testing.F) {
	for _, s := range []string{
		"username=bo&password=%00", "subject=" + strings.Repeat("x", 201), "message=a%0D%0Ab%0Dc",
		"name=%E6%F8%E5", "q=%ff%fe", "reply_body=%1b%5B31m", "tags=a,b,c", "%zz=1&&=&subject",
		"message=" + strings.Repeat("%C3%A6", 50),
	} {
		f.Add(s)
	}
	names := []string{"username", "password", "subject", "message", "name", "q", "reply_body", "tags", "code"}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c := e.NewContext(req, httptest.NewRecorder())
		form := FormOf(c, names...)
		secret := SecretField(c, "password")
		InputErrors(c, &form)
		for _, n := range names {
			r := fieldRules[n]
			v := form.Values[n]
			if !input.Valid(v, r.Multiline) || !input.Valid(secret, false) {
				t.Fatalf("%s: a handler got %q, which PostgreSQL or the rules refuse", n, v)
			}
			raw := c.FormValue(n)
			if _, p := input.Check(raw, r.Rule); p != input.OK && form.ErrorFor(n) == nil {
				t.Fatalf("%s: %q breaks a rule but has no field error", n, raw)
			}
		}
	})
}
