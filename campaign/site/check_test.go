package site_test

import (
	"context"
	"testing"

	"mitidportal/campaign/site"
	"mitidportal/fault"
	"mitidportal/fault/faulttest"
)

// TestNewPageJoinsEveryRule: a new page reports every rule it breaks at once, in the form's
// order, its parent looked up; Create refuses it with the same rules and creates nothing.
func TestNewPageJoinsEveryRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.page(t, "forsiden-under")
	tests := []struct {
		name string
		n    site.NewPage
		want []*fault.Error
	}{
		{"valid, with a parent", site.NewPage{Slug: "ny", Kind: site.KindArticle, ParentSlug: "forsiden-under"}, nil},
		{"a parent that is not there", site.NewPage{Slug: "ny", Kind: site.KindArticle, ParentSlug: "ingen"},
			[]*fault.Error{site.ErrParentInvalid}},
		{"kind and parent", site.NewPage{Slug: "ny", Kind: "kage", ParentSlug: "ingen"},
			[]*fault.Error{site.ErrKindInvalid, site.ErrParentInvalid}},
		{"every field", site.NewPage{Slug: "", Kind: "", Position: -1, ParentSlug: "ingen"},
			[]*fault.Error{site.ErrSlugInvalid, site.ErrKindInvalid, site.ErrPositionBad, site.ErrParentInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.pages.Check(ctx, tt.n)
			if tt.want == nil {
				faulttest.WantRules(t, "Check", err)
				return
			}
			before := len(e.actions())
			_, cerr := e.pages.Create(ctx, e.staff, tt.n)
			faulttest.WantRules(t, "Check", err, tt.want...)
			faulttest.WantRules(t, "Create", cerr, tt.want...)
			if after := len(e.actions()); after != before {
				t.Errorf("a refused page was created (%d events, then %d)", before, after)
			}
		})
	}
}
