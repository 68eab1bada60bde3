package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mitidportal/logging"
)

// RequestID gives every request a fresh ID, in the response header and in every log line.
// An incoming X-Request-ID is not trusted: a client could forge log correlation with it. The ID
// only correlates log lines and is no secret, so it comes from math/rand/v2's generator
// (ChaCha8, randomly seeded) rather than a system call to crypto/rand on every request.
func (s *Site) RequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], mrand.Uint64())
		id := hex.EncodeToString(b[:])
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		r := c.Request()
		c.SetRequest(r.WithContext(logging.WithRequestID(r.Context(), id)))
		c.Set(keyRequestID, id)
		return next(c)
	}
}

// AccessLog writes one line per request. It logs the path without the query string, because
// a query may carry a code or a token.
func (s *Site) AccessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		elapsed := time.Since(start)
		route := c.Path()
		s.metrics.observe(c.Request().Method, route, res.Status, elapsed)
		if route == "/static/*" || route == "/healthz" || route == "/metrics" {
			return nil
		}
		// The record goes to the handler directly: Logger.LogAttrs asks the runtime for its
		// caller's program counter on every line (runtime.Callers), for a source the portal's
		// log does not show, and it was a tenth of a public page's CPU.
		ctx, h := c.Request().Context(), s.Log.Handler()
		if !h.Enabled(ctx, slog.LevelInfo) {
			return nil
		}
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		rec.AddAttrs(
			slog.String("method", c.Request().Method),
			slog.String("path", logPath(route, c.Request().URL.Path)),
			slog.String("route", route),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Float64("ms", float64(elapsed.Microseconds())/1000),
		)
		_ = h.Handle(ctx, rec)
		return nil
	}
}

// logPath is the path a log line shows: the request's path, except for routes that carry a
// secret in the path (a one-time link's :token), which are logged by their pattern.
func logPath(route, path string) string {
	if strings.Contains(route, ":token") {
		return route
	}
	return path
}

// RecoverPanic turns a panic into a logged 500 page.
func (s *Site) RecoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.ErrorContext(c.Request().Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// SecurityHeaders sets the headers every answer carries, with a fresh CSP nonce per request:
// scripts run only from our own files carrying the nonce, never inline.
func (s *Site) SecurityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		nonce := base64.StdEncoding.EncodeToString(b)
		c.Set(keyNonce, nonce)
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; "+
			"style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "+
			"publickey-credentials-get=(self), publickey-credentials-create=(self)")
		if s.Config.Secure {
			h.Set("Strict-Transport-Security", "max-age="+strconv.Itoa(2*365*24*3600)+"; includeSubDomains")
		}
		return next(c)
	}
}

// Keys of the values middleware stores on the echo context.
const (
	keyRequestID = "request_id"
	keyNonce     = "csp_nonce"
	keyState     = "state"
	keyPreloaded = "preloaded"
)
