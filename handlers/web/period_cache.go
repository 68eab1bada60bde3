package web

import "sync"

// PeriodCache keeps one value per key (a language) for the current period (a minute, a day):
// for page parts that every request shows and that change only when the period turns, so they
// are computed once per period instead of on every request. Only the latest period's value is
// kept per key, so the cache never grows beyond its keys. The zero value is ready to use.
type PeriodCache[T any] struct {
	mu sync.Mutex
	m  map[string]periodEntry[T]
}

type periodEntry[T any] struct {
	period int64
	v      T
}

// Get returns the value of key for period, computing it with compute when the cache holds
// none or one of another period. Two requests at the turn of a period may both compute it. A
// nil cache computes every time (a Site built without NewSite, in tests).
func (c *PeriodCache[T]) Get(key string, period int64, compute func() T) T {
	if c == nil {
		return compute()
	}
	if v, ok := c.Lookup(key, period); ok {
		return v
	}
	v := compute()
	c.Put(key, period, v)
	return v
}

// Lookup returns the value of key for period, if the cache holds it (never, if nil).
func (c *PeriodCache[T]) Lookup(key string, period int64) (T, bool) {
	if c == nil {
		var zero T
		return zero, false
	}
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	return e.v, ok && e.period == period
}

// Put keeps v as the value of key for period, replacing the key's value of another period
// (keeps nothing, if nil).
func (c *PeriodCache[T]) Put(key string, period int64, v T) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]periodEntry[T]{}
	}
	c.m[key] = periodEntry[T]{period: period, v: v}
	c.mu.Unlock()
}
