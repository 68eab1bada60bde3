package sitedata_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign/sitedata"
	"mitidportal/db/dbtest"
)

// env is a store on its own database whose audit hook records what it was told.
type env struct {
	store  *sitedata.Store
	mu     sync.Mutex
	events []sitedata.Event
}

func newEnv(t *testing.T) *env {
	e := &env{}
	e.store = sitedata.New(dbtest.New(t), sitedata.Hooks{Audit: func(_ context.Context, _ pgx.Tx, ev sitedata.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.events = append(e.events, ev)
		return nil
	}})
	e.store.SetClock(func() time.Time { return time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC) })
	return e
}

// entry creates a published (or draft) entry in category cat.
func (e *env) entry(t *testing.T, cat int64, qDA, aDA, qEN, aEN string, published bool) sitedata.Entry {
	t.Helper()
	ctx := context.Background()
	en, err := e.store.SaveEntry(ctx, 1, sitedata.Entry{CategoryID: cat, QuestionDA: qDA, AnswerDA: aDA, QuestionEN: qEN, AnswerEN: aEN})
	if err != nil {
		t.Fatal(err)
	}
	if published {
		if err := e.store.SetPublished(ctx, 1, en.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	return en
}

func (e *env) category(t *testing.T, da, en string) sitedata.Category {
	t.Helper()
	c, err := e.store.SaveCategory(context.Background(), 1, sitedata.Category{NameDA: da, NameEN: en})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSearch: each language searches with its own stemming, a word's start finds longer words
// ("spærre" finds "spærring"), short words and odd text are found or not without an error, a
// category filters, and drafts are never found.
func TestSearch(t *testing.T) {
	e := newEnv(t)
	lost := e.category(t, "Mistet eller stjålet", "Lost or stolen")
	app := e.category(t, "MitID-appen", "The MitID app")
	block := e.entry(t, lost.ID, "Hvordan foretager jeg en spærring af mit MitID?",
		"Ring til MitID-support og bed om spærring, eller gør det selv på MitID.dk.",
		"How do I block my MitID?", "Call MitID support and ask them to block it, or do it yourself on MitID.dk.", true)
	phone := e.entry(t, app.ID, "Jeg har fået ny telefon. Hvad gør jeg?",
		"Aktivér appen på den nye telefon, før du sletter den gamle.",
		"I have a new phone. What do I do?", "Activate the app on the new phone before you remove the old one.", true)
	draft := e.entry(t, app.ID, "Kan jeg spærre appen?", "Ja.", "Can I block the app?", "Yes.", false)
	tests := []struct {
		name string
		sr   sitedata.Search
		want []int64
	}{
		{"Danish stem: spærre finds spærring", sitedata.Search{Lang: "da", Query: "spærre"}, []int64{block.ID}},
		{"Danish, two words", sitedata.Search{Lang: "da", Query: "ny telefon"}, []int64{phone.ID}},
		{"English stem: blocking finds block", sitedata.Search{Lang: "en", Query: "blocking"}, []int64{block.ID}},
		{"English plural: phones", sitedata.Search{Lang: "en", Query: "phones"}, []int64{phone.ID}},
		{"short word by its start", sitedata.Search{Lang: "da", Query: "tel"}, []int64{phone.ID}},
		{"part of a word", sitedata.Search{Lang: "en", Query: "MitID.dk"}, []int64{block.ID}},
		{"other language's words do not match", sitedata.Search{Lang: "en", Query: "spærring"}, nil},
		{"no query: all published by category", sitedata.Search{Lang: "da"}, []int64{block.ID, phone.ID}},
		{"category filter", sitedata.Search{Lang: "da", CategoryID: app.ID}, []int64{phone.ID}},
		{"unknown category", sitedata.Search{Lang: "da", CategoryID: 999}, nil},
		{"tsquery syntax is text", sitedata.Search{Lang: "da", Query: `spær:* & !| ( ' "`}, []int64{block.ID}},
		{"LIKE wildcards are text", sitedata.Search{Lang: "da", Query: "%_"}, nil},
		{"NUL and invalid UTF-8 are dropped", sitedata.Search{Lang: "da", Query: "sp\x00ærre\xff"}, []int64{block.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.store.Published(context.Background(), tt.sr)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, g := range got {
				if g.ID == draft.ID {
					t.Error("a draft was found")
				}
				ids = append(ids, g.ID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
	if _, err := e.store.Published(context.Background(), sitedata.Search{Query: strings.Repeat("a", sitedata.MaxQuery+1)}); !errors.Is(err, sitedata.ErrQueryTooLong) {
		t.Errorf("over-long query: %v", err)
	}
}

// TestEditsAreAudited: every change reaches the audit hook, and a refused one writes nothing.
func TestEditsAreAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.category(t, "Kom i gang", "Getting started")
	c2 := e.category(t, "Erhverv", "Businesses")
	en := e.entry(t, c.ID, "Spørgsmål?", "Svar.", "Question?", "Answer.", true)
	if err := e.store.Move(ctx, 1, "qa_category", c2.ID, -1); err != nil {
		t.Fatal(err)
	}
	cats, _ := e.store.Categories(ctx)
	if cats[0].ID != c2.ID {
		t.Errorf("move: %+v", cats)
	}
	if _, err := e.store.SaveBroker(ctx, 1, sitedata.Broker{Name: "Criipto", URL: "criipto.com", Certified: true}); err != nil {
		t.Fatal(err)
	}
	a, err := e.store.SaveActivity(ctx, 1, sitedata.Activity{TitleDA: "Møde", TitleEN: "Meeting", Audience: sitedata.AudiencePrivate,
		Start: sitedata.MonthOf(e.store.Now()), End: sitedata.MonthOf(e.store.Now()).AddMonths(2)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DeleteActivity(ctx, 1, a.ID); err != nil {
		t.Fatal(err)
	}
	want := []string{sitedata.EventCategorySaved, sitedata.EventCategorySaved, sitedata.EventEntrySaved, sitedata.EventEntryShown,
		sitedata.EventMoved, sitedata.EventBrokerSaved, sitedata.EventActivitySaved, sitedata.EventActivityGone}
	if len(e.events) != len(want) {
		t.Fatalf("events %+v", e.events)
	}
	for i, w := range want {
		if e.events[i].Action != w || e.events[i].StaffID != 1 || e.events[i].Subject == "" {
			t.Errorf("event %d: %+v, want %s", i, e.events[i], w)
		}
	}
	refused := []struct {
		name string
		do   func() error
		want error
	}{
		{"entry without answer", func() error {
			_, err := e.store.SaveEntry(ctx, 1, sitedata.Entry{CategoryID: c.ID, QuestionDA: "a", QuestionEN: "b", AnswerDA: " "})
			return err
		}, sitedata.ErrAnswerRequired},
		{"entry in no category", func() error {
			_, err := e.store.SaveEntry(ctx, 1, sitedata.Entry{CategoryID: 999, QuestionDA: "a", QuestionEN: "b", AnswerDA: "c", AnswerEN: "d"})
			return err
		}, sitedata.ErrCategoryInvalid},
		{"broker over http", func() error {
			_, err := e.store.SaveBroker(ctx, 1, sitedata.Broker{Name: "X", URL: "http://x.dk"})
			return err
		}, sitedata.ErrURLInvalid},
		{"broker with a script URL", func() error {
			_, err := e.store.SaveBroker(ctx, 1, sitedata.Broker{Name: "X", URL: "javascript:alert(1)"})
			return err
		}, sitedata.ErrURLInvalid},
		{"activity ending before it starts", func() error {
			m := sitedata.MonthOf(e.store.Now())
			_, err := e.store.SaveActivity(ctx, 1, sitedata.Activity{TitleDA: "a", TitleEN: "b", Audience: sitedata.AudienceAll, Start: m, End: m.AddMonths(-1)})
			return err
		}, sitedata.ErrMonthOrder},
		{"publish a missing entry", func() error { return e.store.SetPublished(ctx, 1, en.ID+100, true) }, sitedata.ErrNotFound},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			n := len(e.events)
			if err := tt.do(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if len(e.events) != n {
				t.Error("a refused change was audited")
			}
		})
	}
}

// TestParseMonth reads months the Danish way.
func TestParseMonth(t *testing.T) {
	for in, want := range map[string]string{"03-2027": "03-2027", "3-2027": "03-2027", "12.2026": "12-2026",
		"13-2027": "", "2027-03": "", "": "", "03-27": "", "\x00": ""} {
		t.Run(in, func(t *testing.T) {
			m, err := sitedata.ParseMonth(in)
			if want == "" {
				if err == nil {
					t.Errorf("accepted as %s", m)
				}
				return
			}
			if err != nil || m.String() != want {
				t.Errorf("got %s, %v", m, err)
			}
		})
	}
}
