package support_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/support"
)

// lookups records the look-ups a case store reports, and can refuse them.
type lookups struct {
	mu   sync.Mutex
	got  []support.Lookup
	fail bool
}

func (l *lookups) hook(_ context.Context, _ pgx.Tx, lk support.Lookup) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return errors.New("audit refused")
	}
	l.got = append(l.got, lk)
	return nil
}

func (l *lookups) take() []support.Lookup {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

// withLookups gives e a case store that reports look-ups to the returned recorder.
func withLookups(e *caseEnv) *lookups {
	l := &lookups{}
	e.cases = support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithLookupHook(l.hook))
	return l
}

// person creates a person with a MitID under a name and an e-mail address.
func (e *caseEnv) person(given, family, email string) (mitidID int64, cpr, username string) {
	e.t.Helper()
	mitidID, cpr, username = e.citizen()
	_, err := e.pool.Exec(e.ctx, `UPDATE person SET given_name = $2, family_name = $3, email = nullif($4, '') WHERE cpr = $1`,
		cpr, given, family, email)
	if err != nil {
		e.t.Fatal(err)
	}
	return mitidID, cpr, username
}

func contact(name, email, phone string) func(*support.NewCase) {
	return func(n *support.NewCase) { n.Name, n.Email, n.Phone = name, email, phone }
}

func text(subject, msg string) func(*support.NewCase) {
	return func(n *support.NewCase) { n.Subject, n.Message = subject, msg }
}

// TestSearchFindsWhatAgentsType: each word form, a prefix, another name for the same thing, the
// caller's phone number, e-mail address and name find their case and no other.
func TestSearchFindsWhatAgentsType(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	block := e.open(text("Stjålen telefon", "Mit MitID skal spærres med det samme."), contact("Ole Olsen", "ole@example.dk", ""))
	display := e.open(text("Kan ikke logge på", "Min kodeviser viser ingen tal."), contact("Bente Bach", "bente@example.dk", ""))
	password := e.open(text("Glemt", "Jeg har glemt mit kodeord."), contact("Carl Clausen", "carl@example.dk", ""))
	post := e.open(text("Digital Post", "Brevene kommer ikke frem."), contact("Dorte Dahl", "dorte@example.dk", ""))
	karen := e.open(text("Ring mig op", "Tak."), contact("Karen Østergaard", "Karen.Oe@example.dk", "+45 21 43 65 87"))

	tests := []struct {
		name, query string
		want        []int64
		match       support.MatchKind
		marked      string // a word the snippet highlights
	}{
		{"spærring finds spærres", "spærring", []int64{block.ID}, support.MatchText, "spærres"},
		{"spærret", "spærret", []int64{block.ID}, support.MatchText, "spærres"},
		{"spærre", "spærre", []int64{block.ID}, support.MatchText, "spærres"},
		{"kodevis is a prefix", "kodevis", []int64{display.ID}, support.MatchText, "kodeviser"},
		{"kodeoplæser is a kodeviser", "kodeoplæser", []int64{display.ID}, support.MatchText, "kodeviser"},
		{"adgangskode is a kodeord", "adgangskode", []int64{password.ID}, support.MatchText, "kodeord"},
		{"two words, one a prefix", "digital pos", []int64{post.ID}, support.MatchText, "Post"},
		{"phone as typed", "21436587", []int64{karen.ID}, support.MatchPhone, ""},
		{"phone with +45 and spaces", "+45 2143 6587", []int64{karen.ID}, support.MatchPhone, ""},
		{"e-mail in other letters", "karen.oe@EXAMPLE.dk", []int64{karen.ID}, support.MatchEmail, ""},
		{"caller's family name", "Østergaard", []int64{karen.ID}, support.MatchText, ""},
		{"caller's name by prefixes", "karen øster", []int64{karen.ID}, support.MatchText, ""},
		{"a word in no case", "skattekort", nil, "", ""},
		{"another number", "21436588", nil, "", ""},
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
					t.Errorf("case %d found by %s, want %s", h.Case.ID, h.Match, tt.match)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
			if tt.marked == "" {
				return
			}
			var marked []string
			for _, p := range res.Hits[0].Snippet {
				if p.Mark {
					marked = append(marked, p.Text)
				}
			}
			if !slices.Contains(marked, tt.marked) {
				t.Errorf("snippet %+v marks %q, want %q", res.Hits[0].Snippet, marked, tt.marked)
			}
		})
	}

	t.Run("a reference code is the case to go to", func(t *testing.T) {
		res, err := e.cases.Search(e.ctx, strings.ToLower(post.Ref), 10)
		if err != nil || res.Ref != post.Ref {
			t.Errorf("Search(%s): Ref %q, %v", post.Ref, res.Ref, err)
		}
	})
	t.Run("what a citizen wrote cannot open a highlight", func(t *testing.T) {
		evil := e.open(text("Kodeviser \x01<b>", "\x02<i>spærret</i>"), contact("Eva Evil", "eva@example.dk", ""))
		res, err := e.cases.Search(e.ctx, "kodeviser spærret", 10)
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Case.ID != evil.ID {
			t.Fatalf("Search = %+v, %v", res.Hits, err)
		}
		for _, p := range res.Hits[0].Snippet {
			if strings.ContainsAny(p.Text, "\x01\x02") || p.Mark && p.Text != "Kodeviser" && p.Text != "spærret" {
				t.Errorf("snippet part %+v", p)
			}
		}
	})
}

// TestFindCitizens: the search box lists citizens by CPR number, username, name, e-mail and a
// phone number of their cases; each listed citizen is a look-up recorded in the transaction
// that read it, and without a member of staff nothing is listed or recorded.
func TestFindCitizens(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	rec := withLookups(e)
	agent := e.staff()
	anna, annaCPR, annaUser := e.person("Anna Marie", "Lund", "anna.lund@example.dk")
	bo, _, _ := e.person("Bo", "Lundgaard", "")
	e.person("Anna", "Berg", "")
	e.open(text("Opkald", ""), func(n *support.NewCase) { n.MitIDID = bo; n.Phone = "40 50 60 70" })

	tests := []struct {
		name, query string
		want        []int64
		via         support.MatchKind
	}{
		{"CPR with dash", annaCPR[:6] + "-" + annaCPR[6:], []int64{anna}, support.MatchCPR},
		{"CPR with spaces", annaCPR[:2] + " " + annaCPR[2:6] + " " + annaCPR[6:], []int64{anna}, support.MatchCPR},
		{"username in capitals", strings.ToUpper(annaUser), []int64{anna}, support.MatchUsername},
		{"e-mail from the register", "Anna.Lund@example.dk", []int64{anna}, support.MatchEmail},
		{"given and family name", "anna lund", []int64{anna}, support.MatchName},
		{"prefixes of both names", "an lundg", nil, ""},
		{"prefixes of both names, long enough", "bo lundg", []int64{bo}, support.MatchName},
		{"phone of the citizen's case", "+45 40506070", []int64{bo}, support.MatchPhone},
		{"one name alone lists nobody", "Lund", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.cases.Find(e.ctx, tt.query, agent, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range res.Citizens {
				got = append(got, c.MitIDID)
				if c.Match != tt.via {
					t.Errorf("citizen %d found by %s, want %s", c.MitIDID, c.Match, tt.via)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Find(%q) citizens %v, want %v", tt.query, got, tt.want)
			}
			l := rec.take()
			if len(tt.want) == 0 {
				if len(l) != 0 {
					t.Errorf("look-ups %+v for a search that listed nobody", l)
				}
				return
			}
			if len(l) != 1 || l[0].StaffID != agent || !slices.Equal(l[0].MitIDIDs, tt.want) || l[0].Via != string(tt.via) {
				t.Errorf("look-ups %+v, want one of %v by %d via %s", l, tt.want, agent, tt.via)
			}
		})
	}

	t.Run("a CPR number that finds nobody is a look-up", func(t *testing.T) {
		res, err := e.cases.Find(e.ctx, "0101991234", agent, 10)
		l := rec.take()
		if err != nil || len(res.Citizens) != 0 || len(l) != 1 || len(l[0].MitIDIDs) != 0 || l[0].Via != "cpr" {
			t.Errorf("Find = %+v, %v; look-ups %+v", res, err, l)
		}
	})
	t.Run("without a member of staff nothing is listed or recorded", func(t *testing.T) {
		res, err := e.cases.Find(e.ctx, annaCPR, 0, 10)
		if err != nil || len(res.Citizens) != 0 || !res.Lookup || len(rec.take()) != 0 {
			t.Errorf("Find = %+v, %v", res, err)
		}
		res, err = e.cases.Find(e.ctx, "+4540506070", 0, 10)
		if err != nil || len(res.Citizens) != 0 || !res.Lookup || len(res.Hits) != 1 {
			t.Errorf("Find by phone = %+v, %v: the case is listed, its citizen is not", res, err)
		}
	})
	t.Run("a refused look-up shows nothing", func(t *testing.T) {
		rec.fail = true
		defer func() { rec.fail = false }()
		if _, err := e.cases.Find(e.ctx, annaUser, agent, 10); err == nil {
			t.Error("Find listed a citizen whose look-up was not recorded")
		}
	})
	t.Run("the hits are bounded", func(t *testing.T) {
		for i := range support.MaxCitizenHits + 2 {
			e.person("Mette", fmt.Sprintf("Madsen%d", i), "")
		}
		res, err := e.cases.Find(e.ctx, "mette madsen", agent, 10)
		l := rec.take()
		if err != nil || len(res.Citizens) != support.MaxCitizenHits || len(l) != 1 || len(l[0].MitIDIDs) != support.MaxCitizenHits {
			t.Errorf("Find: %d citizens, look-ups %+v, %v", len(res.Citizens), l, err)
		}
	})
}

// TestLinkCitizen: a case is linked and relinked by CPR number or username, with an entry on
// its timeline and the look-up in the same transaction; a new case is opened linked.
func TestLinkCitizen(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	rec := withLookups(e)
	agent := e.staff()
	first, firstCPR, _ := e.citizen()
	second, _, secondUser := e.citizen()
	cs := e.open(func(n *support.NewCase) { n.Channel = support.ChannelPhone })

	linked, err := e.cases.LinkCitizen(e.ctx, cs.ID, agent, firstCPR[:6]+"-"+firstCPR[6:], cs.Version)
	if err != nil || linked.MitIDID != first || linked.Version != cs.Version+1 {
		t.Fatalf("link: %+v, %v", linked, err)
	}
	if l := rec.take(); len(l) != 1 || l[0].Case != cs.Ref || !slices.Equal(l[0].MitIDIDs, []int64{first}) {
		t.Errorf("link look-ups %+v", l)
	}
	if _, err := e.cases.LinkCitizen(e.ctx, cs.ID, agent, secondUser, cs.Version); !errors.Is(err, support.ErrConflict) {
		t.Errorf("relink on an old version: %v", err)
	}
	relinked, err := e.cases.LinkCitizen(e.ctx, cs.ID, agent, strings.ToUpper(secondUser), linked.Version)
	if err != nil || relinked.MitIDID != second {
		t.Fatalf("relink: %+v, %v", relinked, err)
	}
	rec.take()
	entries, err := e.cases.Timeline(e.ctx, cs.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, en := range entries {
		if en.Kind == support.EntryCitizenLink {
			links = append(links, fmt.Sprint(en.Detail["from"], "→", en.Detail["to"]))
		}
	}
	if want := []string{fmt.Sprint(0, "→", first), fmt.Sprint(first, "→", second)}; !slices.Equal(links, want) {
		t.Errorf("timeline links %v, want %v", links, want)
	}

	t.Run("nobody by that number", func(t *testing.T) {
		_, err := e.cases.LinkCitizen(e.ctx, cs.ID, agent, "0101991234", relinked.Version)
		if !errors.Is(err, support.ErrCitizenNotFound) {
			t.Errorf("link to nobody: %v", err)
		}
		if l := rec.take(); len(l) != 1 || len(l[0].MitIDIDs) != 0 {
			t.Errorf("a CPR number that found nobody is a look-up: %+v", l)
		}
	})
	t.Run("a refused look-up links nothing", func(t *testing.T) {
		rec.fail = true
		defer func() { rec.fail = false }()
		if _, err := e.cases.LinkCitizen(e.ctx, cs.ID, agent, firstCPR, relinked.Version); err == nil {
			t.Fatal("linked without a recorded look-up")
		}
		if c, _ := e.cases.Get(e.ctx, cs.ID); c.MitIDID != second {
			t.Errorf("case linked to %d", c.MitIDID)
		}
	})
	t.Run("a new case for a citizen", func(t *testing.T) {
		n := newCase(func(n *support.NewCase) { n.Channel, n.StaffID, n.Name, n.Email = support.ChannelPhone, agent, "", "" })
		c, err := e.cases.OpenLinked(e.ctx, n, secondUser)
		if err != nil || c.MitIDID != second {
			t.Fatalf("OpenLinked: %+v, %v", c, err)
		}
		if l := rec.take(); len(l) != 1 || l[0].Case != c.Ref || l[0].Via != "username" {
			t.Errorf("look-ups %+v", l)
		}
		if _, err := e.cases.OpenLinked(e.ctx, n, "nobody-here"); !errors.Is(err, support.ErrCitizenNotFound) {
			t.Errorf("OpenLinked for nobody: %v", err)
		}
	})
}
