package forum_test

import (
	"testing"
	"time"

	"mitidportal/campaign/forum"
	"mitidportal/fault"
	"mitidportal/fault/faulttest"
)

// TestNewMeetingJoinsEveryRule: a new meeting reports every rule it breaks at once, in the
// order of the form's fields; a link that is no link asks for the place too.
func TestNewMeetingJoinsEveryRule(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 3, 24, 10, 0, 0, 0, time.UTC)
	ok := forum.NewMeeting{TitleDA: "Møde", TitleEN: "Meeting", Audience: forum.ForPrivate, Starts: day,
		Ends: day.Add(2 * time.Hour), Place: "Her", Capacity: 20, SignupDeadline: day.Add(-96 * time.Hour)}
	with := func(change func(*forum.NewMeeting)) forum.NewMeeting {
		n := ok
		change(&n)
		return n
	}
	tests := []struct {
		name string
		n    forum.NewMeeting
		want []*fault.Error
	}{
		{"valid", ok, nil},
		{"a video link instead of a place", with(func(n *forum.NewMeeting) { n.Place, n.VideoURL = "", "https://møde.example.dk/1" }), nil},
		{"no place", with(func(n *forum.NewMeeting) { n.Place = "" }), []*fault.Error{forum.ErrPlaceRequired}},
		{"a wrong link with a place", with(func(n *forum.NewMeeting) { n.VideoURL = "ikke en adresse" }), []*fault.Error{forum.ErrLinkInvalid}},
		{"a wrong link, no place", with(func(n *forum.NewMeeting) { n.Place, n.VideoURL = "", "ikke en adresse" }),
			[]*fault.Error{forum.ErrPlaceRequired, forum.ErrLinkInvalid}},
		{"audience and capacity", with(func(n *forum.NewMeeting) { n.Audience, n.Capacity = "alle", 0 }),
			[]*fault.Error{forum.ErrAudienceInvalid, forum.ErrCapacityInvalid}},
		{"every field", forum.NewMeeting{Audience: "alle", VideoURL: "ikke en adresse"},
			[]*fault.Error{forum.ErrTitleRequired, forum.ErrAudienceInvalid, forum.ErrTimesInvalid, forum.ErrPlaceRequired,
				forum.ErrLinkInvalid, forum.ErrCapacityInvalid, forum.ErrDeadlineInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faulttest.WantRules(t, "Check", tt.n.Check(), tt.want...)
		})
	}
}
