package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

type tracerKey struct{}

// WithQueryTracer makes Open install t on every connection of the pool it opens with ctx. Only
// tests use it (app/apptest counts the queries a page makes); production passes no tracer and
// pays nothing for this.
func WithQueryTracer(ctx context.Context, t pgx.QueryTracer) context.Context {
	return context.WithValue(ctx, tracerKey{}, t)
}

func queryTracer(ctx context.Context) pgx.QueryTracer {
	t, _ := ctx.Value(tracerKey{}).(pgx.QueryTracer)
	return t
}
