package support_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db/dbtest"
	"mitidportal/support"
)

// plans collects the plans of every statement a pool's connections run: auto_explain sends
// each as a notice. The connections plan as a busy server does after a statement's fifth run
// (force_generic_plan: the parameters unknown), and with sequential scans priced out, so that a
// statement that has no usable index shows a Seq Scan however small the tables are.
type plans struct {
	mu  sync.Mutex
	got []string
}

func (p *plans) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := strings.Join(p.got, "\n")
	p.got = nil
	return s
}

func explainingPool(t *testing.T, p *plans) *pgxpool.Pool {
	t.Helper()
	_, url := dbtest.NewWithURL(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.got = append(p.got, n.Message)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
			SET auto_explain.log_level = notice; SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan;
			SET jit = off`) // the priced-out scans would make every statement worth compiling
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

var (
	seqScan   = regexp.MustCompile(`Seq Scan on (person|mitid|support_case|support_entry)\b`)
	indexScan = regexp.MustCompile(`(Index Scan|Index Only Scan|Bitmap Index Scan)( Backward)? (using|on) \w+`)
)

// fullIndexScans lists the index scans in plans without an index condition: a read of the
// whole index (a partial one whose predicate the query does not repeat, say), as slow as a
// sequential scan on a big table.
func fullIndexScans(plans string) []string {
	var out []string
	lines := strings.Split(plans, "\n")
	for i, l := range lines {
		m := indexScan.FindString(l)
		switch {
		case m == "", strings.HasSuffix(m, " support_case_assignee"):
			continue // partial, on the active cases only: the open cases per agent read all of it
		case m == "Index Scan Backward using support_case_pkey":
			continue // the search reads the newest cases first, under a LIMIT
		}
		cond := false
		for _, next := range lines[i+1:] {
			if strings.Contains(next, "->") || strings.Contains(next, "duration:") {
				break
			}
			cond = cond || strings.Contains(next, "Index Cond:")
		}
		if !cond {
			out = append(out, m)
		}
	}
	return out
}

// TestLookupsUseIndexes: the desk's look-ups of citizens and cases (CPR number, username,
// e-mail address, phone number, name, reference code) and the dashboard's queries read the
// big tables (a million MitIDs and cases) through indexes, never a sequential scan or a scan of
// a whole index.
func TestLookupsUseIndexes(t *testing.T) {
	t.Parallel()
	var p plans
	pool := explainingPool(t, &p)
	cph := copenhagen(t)
	noop := func(context.Context, pgx.Tx, support.Lookup) error { return nil }
	cases := support.NewCases(pool, support.DefaultSchedule(cph), support.WithLookupHook(noop))
	ctx := context.Background()
	find := func(q string) func() error {
		return func() error { _, err := cases.Find(ctx, q, 1, 25); return err }
	}
	period := support.Period{From: time.Date(2026, 11, 1, 0, 0, 0, 0, cph), To: time.Date(2026, 11, 30, 0, 0, 0, 0, cph)}
	tests := []struct {
		name string
		run  func() error
		want []string // indexes the plans must use
	}{
		{"CPR number", find("010190-1234"), []string{"mitid_cpr_all", "support_case_mitid"}},
		{"username", find("Borger.Hansen7"), []string{"mitid_username", "support_case_mitid"}},
		{"e-mail address", find("Karen.Oe@example.dk"), []string{"person_email_lower", "support_case_email_key"}},
		{"phone number", find("+45 21 43 65 87"), []string{"support_case_phone_cover"}},
		{"name", find("karen øster"), []string{"person_name_words", "support_case_contact_words"}},
		{"reference code", find("hjk mrs"), []string{"support_case_ref"}},
		{"words", find("kodeviser spærret"), []string{"support_case_subject_search", "support_case_search"}},
		{"dashboard", func() error { _, err := cases.Stats(ctx, period); return err }, []string{"support_case_created",
			"support_case_first_response", "support_case_first_response_due", "support_case_resolved",
			"support_case_resolution_due", "support_entry_kind_at"}},
		{"dashboard per agent", func() error { _, err := cases.AgentStats(ctx, period); return err },
			[]string{"support_case_resolved", "support_case_first_response", "support_case_assignee"}},
		{"dashboard export", func() error {
			return cases.EachCase(ctx, period, func(support.CaseRow) error { return nil })
		}, []string{"support_case_created"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.take()
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			got := p.take()
			if got == "" {
				t.Fatal("no plans: is auto_explain missing?")
			}
			if m := seqScan.FindString(got); m != "" {
				t.Errorf("%s in\n%s", m, got)
			}
			if full := fullIndexScans(got); len(full) > 0 {
				t.Errorf("%s without an index condition in\n%s", strings.Join(full, ", "), got)
			}
			for _, ix := range tt.want {
				if !regexp.MustCompile(`\b` + ix + `\b`).MatchString(got) {
					t.Errorf("plans do not use %s:\n%s", ix, got)
				}
			}
		})
	}
}
