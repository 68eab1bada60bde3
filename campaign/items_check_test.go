package campaign

import (
	"strings"
	"testing"

	"mitidportal/fault"
	"mitidportal/fault/faulttest"
)

// TestNewItemCheckJoinsEveryRule: a new item breaking several rules is refused with each of
// them, in the order of the form's fields, so the form shows every wrong field at once.
func TestNewItemCheckJoinsEveryRule(t *testing.T) {
	good := NewItem{Kind: ItemKinds[0], Audience: ItemAudiences[0], Lang: "da", Title: "Folder",
		Visibility: Visibilities[0]}
	tests := []struct {
		name string
		edit func(*NewItem)
		want []*fault.Error
	}{
		{"valid", func(*NewItem) {}, nil},
		{"blank title", func(n *NewItem) { n.Title = "  " }, []*fault.Error{ErrTitleRequired}},
		{"title too long", func(n *NewItem) { n.Title = strings.Repeat("æ", MaxName+1) }, []*fault.Error{ErrNameTooLong}},
		{"kind and language", func(n *NewItem) { n.Kind, n.Lang = "brochure", "de" },
			[]*fault.Error{ErrItemKindInvalid, ErrLangInvalid}},
		{"everything", func(n *NewItem) {
			*n = NewItem{Description: strings.Repeat("x", MaxSummary+1), Kind: "x", Audience: "x", Lang: "x", Visibility: "x"}
		}, []*fault.Error{ErrTitleRequired, ErrNoteTooLong, ErrItemKindInvalid, ErrAudienceInvalid, ErrLangInvalid, ErrVisibilityInvalid}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := good
			tc.edit(&n)
			faulttest.WantRules(t, "Check", n.Check(), tc.want...)
		})
	}
}
