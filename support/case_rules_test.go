package support_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/fault/faulttest"
	"mitidportal/support"
)

// TestNewCaseJoinsEveryRule: a new case is checked rule by rule, and every rule it breaks
// comes back joined, in the order of the form's fields: the citizen (looked up) first, then
// system, category, subject, name, contact, phone, e-mail, language and message. Opening such a
// case writes nothing but the look-up.
func TestNewCaseJoinsEveryRule(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	var lookups atomic.Int64
	cases := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithHooks(support.Hooks{Audit: auditHook(e.pool)}),
		support.WithLookupHook(func(context.Context, pgx.Tx, support.Lookup) error { lookups.Add(1); return nil }))
	ok := support.NewCase{Channel: support.ChannelPhone, System: support.SystemMitID, Category: support.CategoryLogin,
		Priority: support.PriorityNormal, Subject: "Opkald", Name: "Bo", Phone: "12345678", Lang: "da"}
	_, _, citizen := e.citizen()
	with := func(change func(*support.NewCase)) support.NewCase {
		n := ok
		change(&n)
		return n
	}
	tests := []struct {
		name    string
		n       support.NewCase
		who     string
		want    []*support.Error
		lookups int64
	}{
		{"valid", ok, "", nil, 0},
		{"one rule", with(func(n *support.NewCase) { n.Lang = "xx" }), "", []*support.Error{support.ErrLangInvalid}, 0},
		{"two rules", with(func(n *support.NewCase) { n.System, n.Phone = "x", "ring" }), "",
			[]*support.Error{support.ErrSystemInvalid, support.ErrPhoneInvalid}, 0},
		{"every field", support.NewCase{Channel: support.ChannelPhone, System: "x", Category: "y", Priority: support.PriorityNormal,
			Email: "ikke-en-adresse", Phone: "ring", Lang: "xx", Message: strings.Repeat("x", support.MaxBody+1)}, "",
			[]*support.Error{support.ErrSystemInvalid, support.ErrCategoryInvalid, support.ErrSubjectRequired,
				support.ErrNameRequired, support.ErrPhoneInvalid, support.ErrEmailInvalid, support.ErrLangInvalid,
				support.ErrBodyTooLong}, 0},
		{"no way to reach the caller", with(func(n *support.NewCase) { n.Name, n.Phone = "", "" }), "",
			[]*support.Error{support.ErrNameRequired, support.ErrContactRequired}, 0},
		{"a citizen nobody has, by username", with(func(n *support.NewCase) { n.Name, n.Phone, n.Lang = "", "ring", "xx" }), "ingen.her",
			[]*support.Error{support.ErrCitizenNotFound, support.ErrPhoneInvalid, support.ErrLangInvalid}, 0},
		{"a citizen nobody has, by CPR (recorded)", with(func(n *support.NewCase) { n.Subject = "" }), "010203-1234",
			[]*support.Error{support.ErrCitizenNotFound, support.ErrSubjectRequired}, 1},
		// No "not found" tells the agent the citizen exists: a look-up, recorded.
		{"a citizen who is found, for a case refused (recorded)", with(func(n *support.NewCase) { n.Subject = "" }), citizen,
			[]*support.Error{support.ErrSubjectRequired}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before int
			if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM support_case`).Scan(&before); err != nil {
				t.Fatal(err)
			}
			lookups.Store(0)
			faulttest.WantRules(t, "CheckNew", cases.CheckNew(e.ctx, tt.n, tt.who), tt.want...)
			if tt.want == nil {
				return
			}
			var err error
			if tt.who == "" {
				_, err = cases.Open(e.ctx, tt.n)
			} else {
				_, err = cases.OpenLinked(e.ctx, tt.n, tt.who)
			}
			faulttest.WantRules(t, "the change", err, tt.want...)
			var after int
			if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM support_case`).Scan(&after); err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("a refused case was opened: %d cases, then %d", before, after)
			}
			if got := lookups.Load(); got != 2*tt.lookups {
				t.Errorf("%d look-ups recorded by the check and the opening, want %d", got, 2*tt.lookups)
			}
		})
	}
}

// TestCheckReply: a reply's body and the status it moves the case to are checked together.
func TestCheckReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		status support.CaseStatus
		want   []*support.Error
	}{
		{"valid, status kept", "Tak.", "", nil},
		{"valid with a status", "Tak.", support.StatusWaiting, nil},
		{"no body", " ", "", []*support.Error{support.ErrBodyRequired}},
		{"unknown status", "Tak.", "ukendt", []*support.Error{support.ErrStatusInvalid}},
		{"both", "", "ukendt", []*support.Error{support.ErrBodyRequired, support.ErrStatusInvalid}},
		{"too long and unknown", strings.Repeat("x", support.MaxBody+1), "ukendt", []*support.Error{support.ErrBodyTooLong, support.ErrStatusInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faulttest.WantRules(t, "CheckReply", support.CheckReply(tt.body, tt.status), tt.want...)
		})
	}
}

// TestCheckBulkJoinsEveryRule: a bulk change reports every rule it breaks, the assignee looked
// up, and Bulk refuses it whole with the same rules.
func TestCheckBulkJoinsEveryRule(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	nobody := int64(987654)
	one := []support.BulkItem{{ID: 1, Version: 1}}
	tests := []struct {
		name   string
		items  []support.BulkItem
		change support.BulkChange
		want   []*support.Error
	}{
		{"no change, no case", nil, support.BulkChange{}, []*support.Error{support.ErrBulkEmpty, support.ErrBulkCount}},
		{"unknown status", one, support.BulkChange{Status: "ukendt"}, []*support.Error{support.ErrStatusInvalid}},
		{"status, tag and assignee", nil, support.BulkChange{Status: "ukendt", AddTag: "a\x00b", Assign: &nobody},
			[]*support.Error{support.ErrBulkCount, support.ErrStatusInvalid, support.ErrTagInvalid, support.ErrAssigneeInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faulttest.WantRules(t, "CheckBulk", e.cases.CheckBulk(e.ctx, tt.items, tt.change), tt.want...)
			_, err := e.cases.Bulk(e.ctx, 1, tt.items, tt.change)
			faulttest.WantRules(t, "the change", err, tt.want...)
		})
	}
}
