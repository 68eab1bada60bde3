// Package scaleout tests the portal as several instances run it in production: three
// `portal serve` processes, built from cmd/portal, on one PostgreSQL database and one SMTP
// server. A session made on one instance works on the others, a block or "log out everywhere"
// on one ends the session on the others at their next request, periodic jobs run once across
// the three, every mail is delivered once, and SIGTERM under load drains without a failed
// request (docs/operations.md, "Running several instances"). It holds tests only.
package scaleout
