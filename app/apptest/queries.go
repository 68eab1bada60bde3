package apptest

import (
	"context"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// QueryLog records the SQL statements run on behalf of one context: the query-count test
// serves a request whose context carries a log (WithQueryLog) and reads what the page cost.
// Statements run by background workers carry no log and are not counted.
type QueryLog struct {
	mu  sync.Mutex
	sql []string
	// trips counts round trips to the server: a statement alone is one, a batch of
	// statements sent together (pgx.Batch) is one in all.
	trips int
}

type queryLogKey struct{}

// WithQueryLog returns ctx carrying log: every statement run with a context derived from it is
// recorded there.
func WithQueryLog(ctx context.Context, log *QueryLog) context.Context {
	return context.WithValue(ctx, queryLogKey{}, log)
}

// Statements returns the recorded SQL, in order; a transaction shows as its "begin".
func (l *QueryLog) Statements() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sql...)
}

// RoundTrips returns how many times the request waited for the database.
func (l *QueryLog) RoundTrips() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.trips
}

// Count returns how many statements ran, how many of them opened a transaction and how many
// wrote (INSERT, UPDATE, DELETE).
func (l *QueryLog) Count() (queries, txs, writes int) {
	for _, s := range l.Statements() {
		queries++
		switch w := firstWord(s); w {
		case "begin":
			txs++
		case "insert", "update", "delete":
			writes++
		case "with":
			// A CTE that writes.
			ls := strings.ToLower(s)
			if strings.Contains(ls, "insert ") || strings.Contains(ls, "update ") || strings.Contains(ls, "delete ") {
				writes++
			}
		}
	}
	return queries, txs, writes
}

func firstWord(sql string) string {
	f := strings.Fields(sql)
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimRight(f[0], ";"))
}

// queryTracer is installed on the test portal's pool; it records into the QueryLog of the
// statement's context, when there is one.
type queryTracer struct{}

func (queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	record(ctx, data.SQL, 1)
	return ctx
}

func (queryTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch is one round trip whatever it holds; each of its statements is recorded.
func (queryTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	record(ctx, "", 1)
	return ctx
}

func (queryTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	record(ctx, data.SQL, 0)
}

func (queryTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func record(ctx context.Context, sql string, trips int) {
	log, ok := ctx.Value(queryLogKey{}).(*QueryLog)
	if !ok {
		return
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if sql != "" {
		log.sql = append(log.sql, sql)
	}
	log.trips += trips
}
