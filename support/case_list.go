package support

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Queue is a view of the active cases (new, open, waiting for the citizen) the workspace
// lists: unassigned, mine, urgent, or one per system (Queue(system), e.g. "digital_post").
// A case is in every queue it fits, so an urgent unassigned Digital Post case is in three.
type Queue string

// Queues besides the per-system ones.
const (
	QueueUnassigned Queue = "unassigned"
	QueueMine       Queue = "mine"
	QueueUrgent     Queue = "urgent"
)

// SystemQueue is the queue of one system's active cases.
func SystemQueue(s System) Queue { return Queue(s) }

// Queues lists every queue in the order the workspace shows them.
func Queues() []Queue {
	qs := []Queue{QueueUnassigned, QueueMine, QueueUrgent}
	for _, s := range Systems {
		qs = append(qs, SystemQueue(s))
	}
	return qs
}

// ParseQueue reads a queue from a URL; "" is no queue (all cases, any status).
func ParseQueue(s string) (Queue, error) {
	q := Queue(strings.TrimSpace(s))
	if q == "" || valid(Queues(), q) {
		return q, nil
	}
	return "", ErrQueueInvalid
}

// System returns the system of a per-system queue.
func (q Queue) System() (System, bool) {
	s := System(q)
	return s, valid(Systems, s)
}

// MsgID is the message ID of the queue's name; a system's queue is named after the system.
func (q Queue) MsgID() string {
	if s, ok := q.System(); ok {
		return s.MsgID()
	}
	return "support.queue." + string(q)
}

// InQueue reports whether the case is in queue q for the member of staff me. It says in Go
// what List says in SQL.
func (c Case) InQueue(q Queue, me int64) bool {
	if !c.Status.Active() {
		return false
	}
	switch q {
	case QueueUnassigned:
		return c.AssigneeID == 0
	case QueueMine:
		return me != 0 && c.AssigneeID == me
	case QueueUrgent:
		return c.Priority == PriorityUrgent
	}
	s, ok := q.System()
	return ok && c.System == s
}

// Filter selects and pages the cases List returns. Zero fields do not filter.
type Filter struct {
	// Queue limits the list to one queue's active cases; "" lists cases of any status.
	Queue Queue
	// Me is the member of staff looking, for QueueMine.
	Me         int64
	System     System
	Status     CaseStatus
	Priority   Priority
	AssigneeID int64
	Tag        string
	// Newest orders by opening, newest first, instead of by deadline.
	Newest bool
	// After is the previous page's Next; nil for the first page.
	After *Cursor
	// Limit is the page size: default 50, at most 200.
	Limit int
}

// Cursor is where a page ended: the last case's NextDue and id. Pages sort by NextDue with
// the cases that have none last, then by id (or by id alone, newest first, with Newest).
type Cursor struct {
	Due time.Time
	ID  int64
}

// String encodes the cursor for a URL: "microseconds.id", or "-.id" without a deadline.
func (c Cursor) String() string {
	due := "-"
	if !c.Due.IsZero() {
		due = strconv.FormatInt(c.Due.UnixMicro(), 10)
	}
	return due + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a cursor made by String; "" is nil (the first page). Anything else that
// does not parse is ErrCursorInvalid.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	due, id, ok := strings.Cut(s, ".")
	var c Cursor
	var err error
	if c.ID, err = strconv.ParseInt(id, 10, 64); !ok || err != nil || c.ID <= 0 {
		return nil, ErrCursorInvalid
	}
	if due != "-" {
		us, err := strconv.ParseInt(due, 10, 64)
		if err != nil {
			return nil, ErrCursorInvalid
		}
		c.Due = time.UnixMicro(us)
	}
	return &c, nil
}

// Page is one page of cases; Next is nil on the last page.
type Page struct {
	Cases []Case
	Next  *Cursor
}

// List returns a page of cases matching f, with keyset pagination: a page is found through
// the index however deep it is, and cases that change between pages are neither skipped
// twice nor shown twice unless their deadline moved.
func (s *Cases) List(ctx context.Context, f Filter) (Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Queue != "" {
		where = append(where, `status IN ('new', 'open', 'waiting_for_citizen')`)
		switch q := f.Queue; {
		case q == QueueUnassigned:
			where = append(where, `assignee_id IS NULL`)
		case q == QueueMine:
			if f.Me == 0 {
				return Page{}, errors.New("support: the mine queue needs Filter.Me")
			}
			where = append(where, `assignee_id = `+arg(f.Me))
		case q == QueueUrgent:
			where = append(where, `priority = 'urgent'`)
		default:
			sys, ok := q.System()
			if !ok {
				return Page{}, ErrQueueInvalid
			}
			where = append(where, `system = `+arg(sys))
		}
	}
	if f.System != "" {
		where = append(where, `system = `+arg(f.System))
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(f.Status))
	}
	if f.Priority != "" {
		where = append(where, `priority = `+arg(f.Priority))
	}
	if f.AssigneeID != 0 {
		where = append(where, `assignee_id = `+arg(f.AssigneeID))
	}
	if f.Tag != "" {
		where = append(where, arg(strings.ToLower(strings.TrimSpace(f.Tag)))+` = ANY (tags)`)
	}
	order := `coalesce(next_due, 'infinity'::timestamptz), id`
	if f.Newest {
		order = `id DESC`
		if f.After != nil {
			where = append(where, `id < `+arg(f.After.ID))
		}
	} else if f.After != nil {
		where = append(where, `(coalesce(next_due, 'infinity'::timestamptz), id) > (coalesce(`+
			arg(nullTime(f.After.Due))+`::timestamptz, 'infinity'::timestamptz), `+arg(f.After.ID)+`)`)
	}
	cond := "true"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+caseColumns+` FROM support_case WHERE `+cond+
		` ORDER BY `+order+` LIMIT `+arg(limit+1), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	cases, err := pgx.CollectRows(rows, collectCase)
	if err != nil {
		return Page{}, fmt.Errorf("list cases: %w", err)
	}
	var p Page
	if len(cases) > limit {
		cases = cases[:limit]
		last := cases[limit-1]
		p.Next = &Cursor{Due: last.NextDue, ID: last.ID}
	}
	p.Cases = cases
	return p, nil
}

// QueueCount is how many cases a queue holds and how many of them warn.
type QueueCount struct {
	Queue             Queue
	Total             int
	DueSoon, Breached int
}

// Counts returns the size of every queue (in Queues order) for the member of staff me at the
// store's now, with the cases whose next deadline is due soon or breached (Case.Breach).
func (s *Cases) Counts(ctx context.Context, me int64) ([]QueueCount, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT system, priority = 'urgent', assignee_id IS NULL, coalesce(assignee_id = $1, false),
			CASE WHEN next_due < $2 THEN 'breached' WHEN next_warn <= $2 THEN 'due_soon' ELSE 'ok' END,
			count(*)
		FROM support_case WHERE status IN ('new', 'open', 'waiting_for_citizen')
		GROUP BY 1, 2, 3, 4, 5`, me, s.now())
	if err != nil {
		return nil, fmt.Errorf("count queues: %w", err)
	}
	counts := map[Queue]*QueueCount{}
	out := make([]QueueCount, 0, len(Queues()))
	for _, q := range Queues() {
		out = append(out, QueueCount{Queue: q})
	}
	for i := range out {
		counts[out[i].Queue] = &out[i]
	}
	var (
		sys                      System
		urgent, unassigned, mine bool
		state                    BreachState
		n                        int
	)
	_, err = pgx.ForEachRow(rows, []any{&sys, &urgent, &unassigned, &mine, &state, &n}, func() error {
		for q, ok := range map[Queue]bool{QueueUnassigned: unassigned, QueueMine: mine, QueueUrgent: urgent, SystemQueue(sys): true} {
			c := counts[q]
			if !ok || c == nil {
				continue
			}
			c.Total += n
			switch state {
			case BreachBreached:
				c.Breached += n
			case BreachDueSoon:
				c.DueSoon += n
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count queues: %w", err)
	}
	return out, nil
}
