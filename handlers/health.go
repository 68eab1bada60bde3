package handlers

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mitidportal/handlers/web"
)

// healthz answers while the process serves; a load balancer restarts it otherwise.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 only while the database answers, so a load balancer sends no traffic
// to an instance that cannot serve it.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		s.Log.WarnContext(ctx, "not ready", "error", err.Error())
		c.Response().Header().Set("Retry-After", web.RetryAfter)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// metricsPage is the portal's /metrics. Metrics tell an outsider which pages are used and how
// the instance is loaded, so outside demo mode they need the bearer token: without one
// configured they are refused for everyone. With METRICS_ADDR they are served on that address
// only (MetricsHandler), so here they are not found.
func (s *Server) metricsPage(c echo.Context) error {
	switch {
	case s.Config.MetricsOwnAddr:
		return echo.ErrNotFound
	case s.Config.MetricsToken == "" && s.Config.Demo:
		// The demo's invented traffic is no secret.
	case !s.metricsAuthorized(c.Request()):
		return echo.ErrForbidden
	}
	s.promHandler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// MetricsHandler serves the metrics on the separate address METRICS_ADDR, which is reachable
// only from where Prometheus runs; METRICS_TOKEN, when set, is required there too.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	prom := s.promHandler()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.Config.MetricsToken != "" && !s.metricsAuthorized(r) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		prom.ServeHTTP(w, r)
	})
	return mux
}

// metricsAuthorized reports whether r carries the configured bearer token; with none
// configured, nobody is.
func (s *Server) metricsAuthorized(r *http.Request) bool {
	tok := s.Config.MetricsToken
	got := r.Header.Get("Authorization")
	return tok != "" && subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) == 1
}

func (s *Server) promHandler() http.Handler {
	return promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{})
}
