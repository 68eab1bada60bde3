package support_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"mitidportal/support"
)

// TestFillCanned fills placeholders in both spellings, with and without a name.
func TestFillCanned(t *testing.T) {
	t.Parallel()
	v := support.CannedValues{Name: "Ane Hansen", Ref: "SATEBX", Phone: "72 20 60 00"}
	noName := support.CannedValues{Ref: "SATEBX", Phone: "72 20 60 00"}
	tests := []struct {
		name, body string
		v          support.CannedValues
		want       string
	}{
		{"danish", "Hej {{navn}}\nReference {{reference}}, ring {{telefon}}.", v, "Hej Ane Hansen\nReference SATEBX, ring 72 20 60 00."},
		{"english", "Hello {{name}}, ref {{ref}}, phone {{phone}}", v, "Hello Ane Hansen, ref SATEBX, phone 72 20 60 00"},
		{"mixed case and spaces", "Hej {{ Navn }} ({{REF}})", v, "Hej Ane Hansen (SATEBX)"},
		{"no name takes the space", "Hej {{navn}},\nDin kode {{ref}}", noName, "Hej,\nDin kode SATEBX"},
		{"no placeholders", "Tak for din henvendelse.", v, "Tak for din henvendelse."},
		{"twice", "{{ref}} / {{reference}}", v, "SATEBX / SATEBX"},
		{"unknown stays", "Hej {{adresse}} {{navn}}", v, "Hej {{adresse}} Ane Hansen"},
		{"unclosed stays", "Hej {{navn", v, "Hej {{navn"},
		{"a value is not read again", "{{navn}}", support.CannedValues{Name: "{{ref}}", Ref: "X"}, "{{ref}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := support.FillCanned(tt.body, tt.v); got != tt.want {
				t.Errorf("FillCanned(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

// TestCheckCannedText: each field's rules, an unknown placeholder named as typed.
func TestCheckCannedText(t *testing.T) {
	t.Parallel()
	ok := support.CannedText{TitleDA: "Titel", BodyDA: "Hej {{navn}}", TitleEN: "Title", BodyEN: "Hello {{name}}"}
	with := func(f func(*support.CannedText)) support.CannedText { c := ok; f(&c); return c }
	tests := []struct {
		name  string
		text  support.CannedText
		field string
		err   *support.Error
		data  string
	}{
		{"valid", ok, "", nil, ""},
		{"title missing", with(func(c *support.CannedText) { c.TitleDA = "  " }), "title_da", support.ErrCannedTitleRequired, ""},
		{"title too long", with(func(c *support.CannedText) { c.TitleEN = strings.Repeat("æ", support.MaxCannedTitle+1) }), "title_en", support.ErrCannedTitleTooLong, ""},
		{"title at the limit", with(func(c *support.CannedText) { c.TitleEN = strings.Repeat("æ", support.MaxCannedTitle) }), "", nil, ""},
		{"body missing", with(func(c *support.CannedText) { c.BodyEN = "\n" }), "body_en", support.ErrCannedBodyRequired, ""},
		{"body too long", with(func(c *support.CannedText) { c.BodyDA = strings.Repeat("x", support.MaxCannedBody+1) }), "body_da", support.ErrCannedBodyTooLong, ""},
		{"unknown placeholder", with(func(c *support.CannedText) { c.BodyDA = "Hej {{adresse}}" }), "body_da", support.ErrCannedPlaceholder, "{{adresse}}"},
		{"template syntax", with(func(c *support.CannedText) { c.BodyEN = "Hello {{.Name}}" }), "body_en", support.ErrCannedPlaceholder, "{{.Name}}"},
		{"unclosed", with(func(c *support.CannedText) { c.BodyEN = "Hello {{name" }), "body_en", support.ErrCannedPlaceholder, "{{name"},
		{"empty braces", with(func(c *support.CannedText) { c.BodyEN = "Hello {{}}" }), "body_en", support.ErrCannedPlaceholder, "{{}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := support.CheckCannedText(tt.text)
			if tt.err == nil {
				if len(problems) > 0 {
					t.Fatalf("problems %+v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Field != tt.field || problems[0].Err != tt.err {
				t.Fatalf("problems %+v, want %s at %s", problems, tt.err.MsgID, tt.field)
			}
			if tt.data != "" && problems[0].Data["Placeholder"] != tt.data {
				t.Errorf("placeholder %v, want %q", problems[0].Data["Placeholder"], tt.data)
			}
		})
	}
}

// TestCannedSeeded: the migration seeds the six built-in replies as shared ones, in both
// languages, with placeholders the rules accept.
func TestCannedSeeded(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := support.CannedEditor{StaffID: e.staff()}
	replies, err := e.cases.Canned().List(e.ctx, agent, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 6 {
		t.Fatalf("%d seeded replies, want 6", len(replies))
	}
	for _, r := range replies {
		if !r.Shared() || r.Retired() {
			t.Errorf("reply %d: shared %v, retired %v", r.ID, r.Shared(), r.Retired())
		}
		if _, problems := support.CheckCannedText(r.CannedText); len(problems) > 0 {
			t.Errorf("reply %d breaks the rules: %+v", r.ID, problems)
		}
		for _, lang := range []string{"da", "en"} {
			body := support.FillCanned(r.Body(lang), support.CannedValues{Ref: "SATEBX", Phone: "72 20 60 00"})
			if !strings.Contains(body, "SATEBX") || strings.Contains(body, "{{") || strings.Contains(body, " \n") {
				t.Errorf("reply %d (%s) filled:\n%s", r.ID, lang, body)
			}
		}
	}
}

// TestCannedPermissions: who may see, create, change and retire which reply.
func TestCannedPermissions(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	c := e.cases.Canned()
	agent := support.CannedEditor{StaffID: e.staff()}
	other := support.CannedEditor{StaffID: e.staff()}
	super := support.CannedEditor{StaffID: e.staff("supervisor"), ManagesShared: true}
	text := support.CannedText{TitleDA: "T", BodyDA: "Hej {{navn}}", TitleEN: "T", BodyEN: "Hello {{name}}"}
	mine, err := c.Create(e.ctx, agent, false, text, "")
	if err != nil {
		t.Fatal(err)
	}
	shared, err := c.Create(e.ctx, super, true, text, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(e.ctx, agent, true, text, ""); !errors.Is(err, support.ErrCannedForbidden) {
		t.Errorf("an agent created a shared reply: %v", err)
	}
	tests := []struct {
		name  string
		ed    support.CannedEditor
		reply support.CannedReply
		see   error // Get
		chg   error // Update and Retire
	}{
		{"agent, own personal", agent, mine, nil, nil},
		{"agent, another's personal", other, mine, support.ErrNotFound, support.ErrNotFound},
		{"supervisor, an agent's personal", super, mine, support.ErrNotFound, support.ErrNotFound},
		{"agent, shared", agent, shared, nil, support.ErrCannedForbidden},
		{"supervisor, shared", super, shared, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, err := c.Get(e.ctx, support.CannedEditor{StaffID: tt.reply.OwnerID}, tt.reply.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(e.ctx, tt.ed, tt.reply.ID); !errors.Is(err, tt.see) {
				t.Errorf("Get: %v, want %v", err, tt.see)
			}
			changed := text
			changed.BodyDA = "Ny tekst til {{navn}}"
			got, err := c.Update(e.ctx, tt.ed, tt.reply.ID, cur.Version, changed)
			if !errors.Is(err, tt.chg) {
				t.Fatalf("Update: %v, want %v", err, tt.chg)
			}
			if err == nil && (got.BodyDA != changed.BodyDA || got.Version != cur.Version+1) {
				t.Errorf("updated: %+v", got)
			}
			if err == nil {
				cur = got
			}
			visible, _ := c.List(e.ctx, tt.ed, true)
			listed := false
			for _, r := range visible {
				listed = listed || r.ID == tt.reply.ID
			}
			if listed != (tt.see == nil) {
				t.Errorf("listed %v, want %v", listed, tt.see == nil)
			}
			if _, err := c.Retire(e.ctx, tt.ed, tt.reply.ID, cur.Version); !errors.Is(err, tt.chg) {
				t.Errorf("Retire: %v, want %v", err, tt.chg)
			}
		})
	}
	// Retired: no longer offered, still readable, no longer changeable.
	if live, _ := c.List(e.ctx, agent, false); len(live) != 6 {
		t.Errorf("%d live replies after retiring two, want the 6 seeded", len(live))
	}
	r, err := c.Get(e.ctx, agent, mine.ID)
	if err != nil || !r.Retired() {
		t.Fatalf("retired reply: %+v, %v", r, err)
	}
	if _, err := c.Update(e.ctx, agent, mine.ID, r.Version, text); !errors.Is(err, support.ErrCannedRetired) {
		t.Errorf("changed a retired reply: %v", err)
	}
	if _, err := c.Update(e.ctx, agent, mine.ID, 1, support.CannedText{TitleDA: "x"}); !errors.Is(err, support.ErrCannedBodyRequired) {
		t.Errorf("saved a reply without a body: %v", err)
	}
}

// TestCannedParallelEdits: 100 edits of the same version at once, one wins; every version is
// kept, and each change goes through the audit hook in its transaction.
func TestCannedParallelEdits(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	var audited sync.Map
	cases := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithClock(e.clock.Now),
		support.WithCannedAudit(func(ctx context.Context, tx pgx.Tx, ev support.CannedEvent) error {
			audited.Store(ev.Version, ev.Action)
			return nil
		}))
	c := cases.Canned()
	super := support.CannedEditor{StaffID: e.staff("supervisor"), ManagesShared: true}
	r, err := c.Create(e.ctx, super, true, support.CannedText{TitleDA: "T", BodyDA: "B", TitleEN: "T", BodyEN: "B"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		var wg sync.WaitGroup
		errs := make([]error, 100)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Update(e.ctx, super, r.ID, r.Version, support.CannedText{TitleDA: "T", BodyDA: "B" + itoa(int64(i)), TitleEN: "T", BodyEN: "B"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, support.ErrCannedStale):
				t.Errorf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d edits of version %d won, want 1", round, won, r.Version)
		}
		if r, err = c.Get(e.ctx, super, r.ID); err != nil || r.Version != round+2 {
			t.Fatalf("after round %d: version %d, %v", round, r.Version, err)
		}
	}
	var versions int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM support_canned_version WHERE canned_id = $1`, r.ID).Scan(&versions); err != nil || versions != 3 {
		t.Errorf("%d versions kept, want 3 (%v)", versions, err)
	}
	for v, want := range map[int]support.CannedAction{1: support.CannedCreated, 2: support.CannedUpdated, 3: support.CannedUpdated} {
		if got, _ := audited.Load(v); got != want {
			t.Errorf("version %d audited as %v, want %s", v, got, want)
		}
	}
	// A failing hook undoes the change: the audit entry and the change are one.
	failing := support.NewCases(e.pool, support.DefaultSchedule(e.cph), support.WithCannedAudit(
		func(context.Context, pgx.Tx, support.CannedEvent) error { return errors.New("audit down") }))
	if _, err := failing.Canned().Retire(e.ctx, super, r.ID, r.Version); err == nil {
		t.Fatal("retired without an audit entry")
	}
	if r, _ := c.Get(e.ctx, super, r.ID); r.Retired() {
		t.Error("the retirement stayed although its audit entry failed")
	}
}

// TestCannedPersonalLimit: 100 parallel creations stop at the limit.
func TestCannedPersonalLimit(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	c := e.cases.Canned()
	agent := support.CannedEditor{StaffID: e.staff()}
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Create(e.ctx, agent, false, support.CannedText{TitleDA: "T", BodyDA: "B", TitleEN: "T", BodyEN: "B"}, "")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, support.ErrCannedTooMany):
			t.Error(err)
		}
	}
	if ok != support.MaxCannedPersonal {
		t.Errorf("%d created, want %d", ok, support.MaxCannedPersonal)
	}
}
