package support_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"mitidportal/support"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	mitid, cpr, username := e.citizen()
	_, otherCPR, _ := e.citizen()
	subject := func(s, msg string) func(*support.NewCase) {
		return func(n *support.NewCase) { n.Subject, n.Message = s, msg }
	}
	display := e.open(subject("Min kodeviser virker ikke", "Skærmen er sort."))
	block := e.open(subject("Hjælp", "Jeg vil gerne spærre mit MitID, telefonen er stjålet."))
	battery := e.open(subject("Spørgsmål", "Batteriet i kodeviseren er fladt."))
	post := e.open(subject("Digital Post", "Jeg kan ikke læse mine breve."), func(n *support.NewCase) { n.System = support.SystemDigitalPost })
	mine := e.open(subject("Adgangskode glemt", "Hvordan får jeg en ny?"), func(n *support.NewCase) { n.MitIDID = mitid })
	mine2 := e.open(subject("Brev med aktiveringskode", "Ikke modtaget."), func(n *support.NewCase) { n.MitIDID = mitid })

	tests := []struct {
		name  string
		query string
		want  []int64 // in order
		match support.MatchKind
		cpr   string
	}{
		{"another inflection of kodeviser, subject ranked first", "kodeviseren", []int64{display.ID, battery.ID}, support.MatchText, ""},
		{"spærret finds spærre", "spærret", []int64{block.ID}, support.MatchText, ""},
		{"two words", "stjålen telefon", []int64{block.ID}, support.MatchText, ""},
		{"phrase", `"digital post"`, []int64{post.ID}, support.MatchText, ""},
		{"exclusion", "kodeviser -batteri", []int64{display.ID}, support.MatchText, ""},
		{"or", "læse or batterier", []int64{post.ID, battery.ID}, support.MatchText, ""},
		{"stop words only", "og det", nil, "", ""},
		{"nothing", "skattekort", nil, "", ""},
		{"reference code as dictated", strings.ToLower(display.Ref[:3]) + " " + display.Ref[3:], []int64{display.ID}, support.MatchRef, ""},
		{"CPR with hyphen", cpr[:6] + "-" + cpr[6:], []int64{mine2.ID, mine.ID}, support.MatchCPR, cpr},
		{"CPR of a person without cases", otherCPR, nil, "", otherCPR},
		{"username in capitals", strings.ToUpper(username), []int64{mine2.ID, mine.ID}, support.MatchUsername, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.cases.Search(e.ctx, tt.query, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, h := range res.Hits {
				got = append(got, h.Case.ID)
				if h.Match != tt.match {
					t.Errorf("hit %d matched by %s, want %s", h.Case.ID, h.Match, tt.match)
				}
				if (h.Match == support.MatchText) != (h.Rank > 0) {
					t.Errorf("hit %d: rank %v for a %s match", h.Case.ID, h.Rank, h.Match)
				}
			}
			if !slices.Equal(got, tt.want) || res.CPR != tt.cpr {
				t.Errorf("Search(%q) = %v, CPR %q; want %v, CPR %q", tt.query, got, res.CPR, tt.want, tt.cpr)
			}
		})
	}

	t.Run("exact hits first, each case once", func(t *testing.T) {
		// A reference code that is also a word in a case: the case with the code comes first.
		word := e.open(subject("Kode "+strings.ToLower(display.Ref), "Ingen."))
		res, err := e.cases.Search(e.ctx, display.Ref, 10)
		if err != nil || len(res.Hits) != 2 || res.Hits[0].Case.ID != display.ID || res.Hits[0].Match != support.MatchRef ||
			res.Hits[1].Case.ID != word.ID || res.Hits[1].Match != support.MatchText {
			t.Errorf("Search(%s) = %+v, %v", display.Ref, res.Hits, err)
		}
	})
	t.Run("limit", func(t *testing.T) {
		if res, err := e.cases.Search(e.ctx, "kodeviser", 1); err != nil || len(res.Hits) != 1 {
			t.Errorf("limit 1: %d hits, %v", len(res.Hits), err)
		}
	})
	t.Run("too long", func(t *testing.T) {
		if _, err := e.cases.Search(e.ctx, strings.Repeat("ø", support.MaxQuery+1), 10); !errors.Is(err, support.ErrSearchQueryTooLong) {
			t.Errorf("long query: %v", err)
		}
	})
}
