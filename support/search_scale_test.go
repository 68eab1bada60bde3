package support_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/support"
)

// TestSearchFindsOldBestMatch: a common word is in the messages of more new cases than a
// search ranks (support.RankWindow), and in the subject of one old case, its best match. The
// search must find that old case first.
func TestSearchFindsOldBestMatch(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	old := e.open(text("Kodeviser i stykker", "Den viser ingen tal."), contact("Ingrid Quist", "ingrid@example.dk", ""))
	e.clock.Add(24 * time.Hour)
	refs := newRefs(t, support.RankWindow+100)
	// Inserted in one statement (opening 2,100 cases one by one would cost seconds): the same
	// columns and search vector as Cases.Open gives a web case.
	_, err := e.pool.Exec(e.ctx, `
		INSERT INTO support_case (ref, channel, system, category, priority, contact_name, subject,
			created_at, updated_at, search)
		SELECT ref, 'web', 'mitid', 'login', 'normal', 'Ole Olsen', 'Spørgsmål', $2, $2,
			setweight(to_tsvector('danish', 'Spørgsmål'), 'A') ||
			setweight(to_tsvector('danish', 'Min kodeviser er gammel. Skal jeg have en ny?'), 'B')
		FROM unnest($1::text[]) AS ref
		ON CONFLICT (ref) DO NOTHING`, refs, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"kodeviser", "kodeviseren", "kodevis"} {
		t.Run(q, func(t *testing.T) {
			res, err := e.cases.Search(e.ctx, q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Case.ID != old.ID {
				var got []int64
				for _, h := range res.Hits {
					got = append(got, h.Case.ID)
				}
				t.Errorf("Search(%q) = %v, want case %d (old, the word in its subject) first", q, got, old.ID)
			}
			if len(res.Hits) != 10 {
				t.Errorf("Search(%q): %d hits, want 10", q, len(res.Hits))
			}
		})
	}
}

// TestSearchReadsPastTheRange: the probe sees the word in a tenth of the newest cases, so the
// tier is read within the newest cases that should hold twice the window's matches; they hold
// fewer (the word is in none of the cases just past the probe), and the older matches must
// still be candidates. Small sizes (a window of 10, a probe of 50 cases) reach with 275 cases
// what a million reaches with a window of 500.
func TestSearchReadsPastTheRange(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	cases := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithSearchSizes(10, 50, 20))
	// Oldest first: 20 cases mentioning the word, 200 without it, then the newest 50 of which
	// every tenth mentions it.
	var msgs []string
	for i := range 270 {
		switch {
		case i < 20, i >= 220 && i%10 == 0:
			msgs = append(msgs, "Min kodeviser viser ingen tal.")
		default:
			msgs = append(msgs, "Appen lukker, når jeg åbner den.")
		}
	}
	rows, err := e.pool.Query(e.ctx, `
		INSERT INTO support_case (ref, channel, system, category, priority, contact_name, subject,
			created_at, updated_at, search)
		SELECT ($3::text[])[n], 'web', 'mitid', 'login', 'normal', 'Ole Olsen', 'Spørgsmål', $2, $2,
			setweight(to_tsvector('danish', 'Spørgsmål'), 'A') || setweight(to_tsvector('danish', msg), 'B')
		FROM unnest($1::text[]) WITH ORDINALITY AS m (msg, n)
		ORDER BY n
		RETURNING id, search @@ to_tsquery('danish', 'kodeviser')`, msgs, e.clock.Now(), newRefs(t, len(msgs)))
	if err != nil {
		t.Fatal(err)
	}
	var matches []int64 // newest first
	var id int64
	var match bool
	_, err = pgx.ForEachRow(rows, []any{&id, &match}, func() error {
		if match {
			matches = append([]int64{id}, matches...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 25 {
		t.Fatalf("%d cases mention the word, want 25", len(matches))
	}
	slices.Sort(matches)
	slices.Reverse(matches)
	res, err := cases.Search(e.ctx, "kodeviser", 25)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range res.Hits {
		got = append(got, h.Case.ID)
	}
	// The ranks are equal: the newest first, the window's 10 (5 new ones and 5 old ones).
	if want := matches[:10]; !slices.Equal(got, want) {
		t.Errorf("Search = %v, want %v (the 5 newest matches and the 5 newest older ones)", got, want)
	}
}

// newRefs returns n reference codes, each once.
func newRefs(t *testing.T, n int) []string {
	t.Helper()
	refs := make([]string, 0, n)
	seen := map[string]bool{}
	for len(refs) < n {
		ref, err := support.NewRef()
		if err != nil {
			t.Fatal(err)
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs
}
