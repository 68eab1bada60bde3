package support_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"mitidportal/support"
)

// TestTransitions checks every pair of statuses against the allowed moves, written out here
// as a table independent of the package's own.
func TestTransitions(t *testing.T) {
	t.Parallel()
	const (
		n = support.StatusNew
		o = support.StatusOpen
		w = support.StatusWaiting
		r = support.StatusResolved
		c = support.StatusClosed
	)
	allowed := map[[2]support.CaseStatus]bool{
		{n, o}: true, {n, w}: true, {n, r}: true,
		{o, w}: true, {o, r}: true,
		{w, o}: true, {w, r}: true,
		{r, o}: true, {r, c}: true,
	}
	if len(support.Statuses) != 5 {
		t.Fatalf("%d statuses", len(support.Statuses))
	}
	for _, from := range support.Statuses {
		for _, to := range support.Statuses {
			want := allowed[[2]support.CaseStatus{from, to}]
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				if got := from.CanMoveTo(to); got != want {
					t.Errorf("CanMoveTo = %v, want %v", got, want)
				}
				if got := slices.Contains(from.Next(), to); got != want {
					t.Errorf("Next() has %s: %v, want %v", to, got, want)
				}
			})
		}
	}
}

// TestSetStatusFollowsTransitions walks a case to every status and tries every move from it
// through the store: an allowed move succeeds and writes its entry, any other fails and
// changes nothing.
func TestSetStatusFollowsTransitions(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	// path reaches each status from new.
	path := map[support.CaseStatus][]support.CaseStatus{
		support.StatusNew:      nil,
		support.StatusOpen:     {support.StatusOpen},
		support.StatusWaiting:  {support.StatusWaiting},
		support.StatusResolved: {support.StatusResolved},
		support.StatusClosed:   {support.StatusResolved, support.StatusClosed},
	}
	for _, from := range support.Statuses {
		for _, to := range support.Statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				c := e.open()
				var err error
				for _, s := range path[from] {
					if c, err = e.cases.SetStatus(e.ctx, c.ID, agent, s, c.Version); err != nil {
						t.Fatalf("reach %s: %v", from, err)
					}
				}
				got, err := e.cases.SetStatus(e.ctx, c.ID, agent, to, c.Version)
				switch {
				case from == support.StatusClosed:
					if !errors.Is(err, support.ErrClosed) {
						t.Fatalf("from closed: %v, want ErrClosed", err)
					}
				case from.CanMoveTo(to):
					if err != nil || got.Status != to || got.Version != c.Version+1 {
						t.Fatalf("SetStatus = %s v%d, %v; want %s v%d", got.Status, got.Version, err, to, c.Version+1)
					}
					tl, _ := e.cases.Timeline(e.ctx, c.ID, true)
					last := tl[len(tl)-1]
					if last.Kind != support.EntryStatus || last.From != string(from) || last.To != string(to) || last.StaffID != agent {
						t.Errorf("last entry %+v", last)
					}
				default:
					if !errors.Is(err, support.ErrTransition) {
						t.Fatalf("SetStatus = %v, want ErrTransition", err)
					}
				}
				if err != nil {
					if after := e.get(c.ID); after.Status != from || after.Version != c.Version {
						t.Errorf("refused move changed the case to %s v%d", after.Status, after.Version)
					}
				}
			})
		}
	}
}

func TestOpenValidates(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	mitid, _, _ := e.citizen()
	tests := []struct {
		name string
		edit func(*support.NewCase)
		want error
	}{
		{"valid", func(*support.NewCase) {}, nil},
		{"no channel", func(n *support.NewCase) { n.Channel = "" }, support.ErrChannelInvalid},
		{"unknown system", func(n *support.NewCase) { n.System = "skat" }, support.ErrSystemInvalid},
		{"unknown category", func(n *support.NewCase) { n.Category = "misc" }, support.ErrCategoryInvalid},
		{"unknown priority", func(n *support.NewCase) { n.Priority = "asap" }, support.ErrPriorityInvalid},
		{"unknown language", func(n *support.NewCase) { n.Lang = "de" }, support.ErrLangInvalid},
		{"blank subject", func(n *support.NewCase) { n.Subject = "  " }, support.ErrSubjectRequired},
		{"subject on two lines", func(n *support.NewCase) { n.Subject = "a\nb" }, support.ErrSubjectTooLong},
		{"long subject", func(n *support.NewCase) { n.Subject = strings.Repeat("æ", 201) }, support.ErrSubjectTooLong},
		{"long message", func(n *support.NewCase) { n.Message = strings.Repeat("x", support.MaxBody+1) }, support.ErrBodyTooLong},
		{"anonymous without name", func(n *support.NewCase) { n.Name = "" }, support.ErrNameRequired},
		{"anonymous without contact", func(n *support.NewCase) { n.Email = "" }, support.ErrContactRequired},
		{"anonymous with a phone only", func(n *support.NewCase) { n.Email, n.Phone = "", "+45 12 34 56 78" }, nil},
		{"bad phone", func(n *support.NewCase) { n.Phone = "ring mig" }, support.ErrPhoneInvalid},
		{"bad e-mail", func(n *support.NewCase) { n.Email = "jens@" }, support.ErrEmailInvalid},
		{"e-mail with a display name", func(n *support.NewCase) { n.Email = "Jens <jens@example.dk>" }, support.ErrEmailInvalid},
		{"logged in, nothing else", func(n *support.NewCase) { n.MitIDID, n.Name, n.Email = mitid, "", "" }, nil},
		{"unknown MitID", func(n *support.NewCase) { n.MitIDID = mitid + 1000 }, support.ErrCitizenUnknown},
		{"bad tag", func(n *support.NewCase) { n.Tags = []string{"ok", "no/slash"} }, support.ErrTagInvalid},
		{"bad Message-ID", func(n *support.NewCase) { n.MessageID = "abc" }, support.ErrMessageIDInvalid},
		{"unknown assignee", func(n *support.NewCase) { n.AssigneeID = 999999 }, support.ErrAssigneeInvalid},
		{"assignee who is not support staff", func(n *support.NewCase) { n.AssigneeID = e.staff("campaign_editor") }, support.ErrAssigneeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.cases.Open(e.ctx, newCase(tt.edit))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
			if err == nil && (c.ID == 0 || c.Status != support.StatusNew || c.Version != 1) {
				t.Errorf("opened %+v", c)
			}
		})
	}
}

// TestOpen checks what a new case holds and that identity theft is urgent, whatever is asked.
func TestOpen(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	agent := e.staff()
	c := e.open(func(n *support.NewCase) {
		n.Channel, n.Category, n.Priority = support.ChannelPhone, support.CategoryIdentityTheft, support.PriorityLow
		n.StaffID, n.AssigneeID, n.Tags, n.Lang = agent, agent, []string{" Politi ", "politi", "APP"}, "en"
	})
	if c.Priority != support.PriorityUrgent || !support.ValidRef(c.Ref) || c.AssigneeID != agent ||
		!slices.Equal(c.Tags, []string{"app", "politi"}) || c.Lang != "en" || !c.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("opened %+v", c)
	}
	tl, err := e.cases.Timeline(e.ctx, c.ID, true)
	if err != nil || len(tl) != 2 || tl[0].Kind != support.EntryMessage || tl[0].Body != "Min kodeviser viser ingen kode." ||
		tl[1].Kind != support.EntryAssignment || tl[1].To != itoa(agent) || tl[1].From != "" {
		t.Fatalf("timeline %+v, %v", tl, err)
	}
	if _, err := e.cases.SetPriority(e.ctx, c.ID, agent, support.PriorityHigh, c.Version); !errors.Is(err, support.ErrIdentityTheftUrgent) {
		t.Errorf("lowering identity theft: %v", err)
	}
	// The database holds the rule too.
	_, err = e.pool.Exec(e.ctx, `UPDATE support_case SET priority = 'normal' WHERE id = $1`, c.ID)
	if err == nil || !strings.Contains(err.Error(), "check constraint") {
		t.Errorf("database accepted a non-urgent identity theft: %v", err)
	}
	normal := e.open()
	if normal.Priority != support.PriorityNormal {
		t.Errorf("default priority %s", normal.Priority)
	}
	if got, err := e.cases.ByRef(e.ctx, strings.ToLower(normal.Ref)); err != nil || got.ID != normal.ID {
		t.Errorf("ByRef = %d, %v", got.ID, err)
	}
	for _, ref := range []string{"ABCEGX", "nope", ""} {
		if _, err := e.cases.ByRef(e.ctx, ref); !errors.Is(err, support.ErrNotFound) {
			t.Errorf("ByRef(%q) = %v", ref, err)
		}
	}
	if _, err := e.cases.Get(e.ctx, 424242); !errors.Is(err, support.ErrNotFound) {
		t.Errorf("Get = %v", err)
	}
}

func TestForCitizen(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t)
	mitid, _, _ := e.citizen()
	other, _, _ := e.citizen()
	a := e.open(func(n *support.NewCase) { n.MitIDID = mitid })
	e.open(func(n *support.NewCase) { n.MitIDID = other })
	e.open()
	b := e.open(func(n *support.NewCase) { n.MitIDID = mitid })
	got, err := e.cases.ForCitizen(e.ctx, mitid)
	if err != nil || len(got) != 2 || got[0].ID != b.ID || got[1].ID != a.ID {
		t.Fatalf("ForCitizen = %v, %v", got, err)
	}
}
