package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"mitidportal/app/apptest"
	"mitidportal/handlers"
)

// TestMetricsAccess: outside demo mode nobody reads /metrics without the configured bearer
// token, and nobody at all when none is configured; with a separate metrics address the
// portal's /metrics is not found and the separate handler serves them.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	const token = "s3cret-metrics-token"
	tests := []struct {
		name    string
		demo    bool
		token   string
		ownAddr bool
		auth    string
		want    int // on the portal's /metrics
		wantOwn int // on the separate handler; 0 when not checked
	}{
		{"demo without token is open", true, "", false, "", 200, 0},
		{"demo with token needs it", true, token, false, "", 403, 0},
		{"demo with token and the token", true, token, false, "Bearer " + token, 200, 0},
		{"production without token is closed", false, "", false, "", 403, 0},
		{"production without token takes no empty bearer", false, "", false, "Bearer ", 403, 0},
		{"production with token, none sent", false, token, false, "", 403, 0},
		{"production with token, wrong one", false, token, false, "Bearer nope", 403, 0},
		{"production with token, as a bare token", false, token, false, token, 403, 0},
		{"production with token, the token", false, token, false, "Bearer " + token, 200, 0},
		{"separate address without token", false, "", true, "", 404, 200},
		{"separate address with token, none sent", false, token, true, "", 404, 403},
		{"separate address with token, the token", false, token, true, "Bearer " + token, 404, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := env.App.Server.Deps
			d.Config.Demo, d.Config.MetricsToken, d.Config.MetricsOwnAddr = tt.demo, tt.token, tt.ownAddr
			d.Metrics = prometheus.NewRegistry() // each server registers its own collectors
			srv := handlers.New(d)
			// One request counted, so the metrics have a line to find.
			srv.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
			for _, h := range []struct {
				name    string
				handler http.Handler
				want    int
			}{{"portal", srv.Handler(), tt.want}, {"separate", srv.MetricsHandler(), tt.wantOwn}} {
				if h.want == 0 {
					continue
				}
				req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
				if tt.auth != "" {
					req.Header.Set("Authorization", tt.auth)
				}
				rec := httptest.NewRecorder()
				h.handler.ServeHTTP(rec, req)
				if rec.Code != h.want {
					t.Errorf("%s /metrics: %d, want %d", h.name, rec.Code, h.want)
				}
				if served := strings.Contains(rec.Body.String(), "portal_http_requests_total"); served != (h.want == 200) {
					t.Errorf("%s /metrics: metrics in the body = %v with status %d", h.name, served, rec.Code)
				}
			}
		})
	}
}
