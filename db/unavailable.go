package db

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// Unavailable reports whether err says that the database cannot be reached for now, as
// opposed to a query that is wrong: no connection could be made (refused, unreachable, timed
// out, refused login), the pool is closed (the instance is shutting down), no connection came
// free before the deadline, the server is shutting down, starting up or full, or the
// connection broke (in the middle of a statement, or before a later one of the same
// transaction). Pages answer such errors with 503 and Retry-After, so browsers, load
// balancers and monitoring see an outage and not a bug.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || errors.Is(err, puddle.ErrClosedPool) {
		return true
	}
	// A statement on a connection that broke earlier in the same transaction (the server went
	// away between two statements of one request).
	if errors.Is(err, pgconn.ErrConnClosed) {
		return true
	}
	// A deadline while acquiring or querying: the database is too slow or too busy to answer.
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case strings.HasPrefix(pg.Code, "08"): // connection exception
			return true
		case pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03": // shutdown, crash, starting up
			return true
		case pg.Code == "53300": // too many connections
			return true
		}
		return false
	}
	// The connection broke in the middle of a statement.
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF)
}
