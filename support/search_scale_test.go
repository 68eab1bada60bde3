package support_test

import (
	"testing"
	"time"

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
	n := support.RankWindow + 100
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
