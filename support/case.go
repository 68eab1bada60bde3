package support

import (
	"slices"
	"time"
)

// Channel is how a case reached the desk.
type Channel string

// Channels.
const (
	ChannelPhone    Channel = "phone"
	ChannelWeb      Channel = "web"
	ChannelEmail    Channel = "email"
	ChannelInPerson Channel = "in_person"
)

// Channels lists every channel in the order forms show them.
var Channels = []Channel{ChannelPhone, ChannelWeb, ChannelEmail, ChannelInPerson}

// MsgID is the message ID of the channel's display name.
func (c Channel) MsgID() string { return "support.channel." + string(c) }

// System is the public IT system a case is about; the desk serves six.
type System string

// Systems.
const (
	SystemMitID        System = "mitid"
	SystemMitIDErhverv System = "mitid_erhverv"
	SystemDigitalPost  System = "digital_post"
	SystemNemKonto     System = "nemkonto"
	SystemVirk         System = "virk"
	SystemBorgerDK     System = "borger_dk"
)

// Systems lists every system in the order the contact page and the queues show them.
var Systems = []System{SystemMitID, SystemMitIDErhverv, SystemDigitalPost, SystemNemKonto, SystemVirk, SystemBorgerDK}

// MsgID is the message ID of the system's name. The names are shared with the contact page,
// which defined them first (top-level table "system" in da.toml and en.toml).
func (s System) MsgID() string { return "system." + string(s) }

// Category is what a case is about.
type Category string

// Categories.
const (
	CategoryLogin         Category = "login"
	CategoryLostMeans     Category = "lost_means"
	CategoryIdentityTheft Category = "identity_theft"
	CategoryBlock         Category = "block"
	CategoryLiftBlock     Category = "lift_block"
	CategoryRegistration  Category = "registration"
	CategoryBusiness      Category = "business"
	CategoryAccessibility Category = "accessibility" // a problem using the portal (the accessibility statement's way to report it)
	CategoryOther         Category = "other"
)

// Categories lists every category in the order forms show them.
var Categories = []Category{CategoryLogin, CategoryLostMeans, CategoryIdentityTheft, CategoryBlock,
	CategoryLiftBlock, CategoryRegistration, CategoryBusiness, CategoryAccessibility, CategoryOther}

// MsgID is the message ID of the category's display name. "other" is a reserved key in the
// locale files (a plural form), so that category's message is named other_topic.
func (c Category) MsgID() string {
	if c == CategoryOther {
		return "support.category.other_topic"
	}
	return "support.category." + string(c)
}

// Priority orders the work and sets the deadlines (deadline.go).
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority from low to urgent.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// MsgID is the message ID of the priority's display name.
func (p Priority) MsgID() string { return "support.priority." + string(p) }

// DefaultPriority is the priority a new case gets when none is chosen: urgent for identity
// theft, which can never be lower (someone else may be using the citizen's MitID), normal
// otherwise.
func DefaultPriority(c Category) Priority {
	if c == CategoryIdentityTheft {
		return PriorityUrgent
	}
	return PriorityNormal
}

// CaseStatus is where a case is in its life. (Status, in hours.go, is whether the desk is
// open.)
type CaseStatus string

// Statuses.
const (
	StatusNew      CaseStatus = "new"
	StatusOpen     CaseStatus = "open"
	StatusWaiting  CaseStatus = "waiting_for_citizen"
	StatusResolved CaseStatus = "resolved"
	StatusClosed   CaseStatus = "closed"
)

// Statuses lists every status in the order of a case's life.
var Statuses = []CaseStatus{StatusNew, StatusOpen, StatusWaiting, StatusResolved, StatusClosed}

// MsgID is the message ID of the status's display name.
func (s CaseStatus) MsgID() string { return "support.status." + string(s) }

// transitions are the status changes an agent may make. A citizen's message moves a case
// that waits for them, or a resolved one, back to open (case_timeline.go), along the same
// edges. Closed is final: a citizen who writes again gets a new case.
var transitions = map[CaseStatus][]CaseStatus{
	StatusNew:      {StatusOpen, StatusWaiting, StatusResolved},
	StatusOpen:     {StatusWaiting, StatusResolved},
	StatusWaiting:  {StatusOpen, StatusResolved},
	StatusResolved: {StatusOpen, StatusClosed},
	StatusClosed:   {},
}

// CanMoveTo reports whether a case may go from s to to. Staying put is not a move.
func (s CaseStatus) CanMoveTo(to CaseStatus) bool { return slices.Contains(transitions[s], to) }

// Next lists the statuses a case in s may move to, for the status buttons.
func (s CaseStatus) Next() []CaseStatus { return slices.Clone(transitions[s]) }

// Active reports whether a case in s is still being worked on, so it appears in the queues:
// new, open or waiting for the citizen.
func (s CaseStatus) Active() bool { return s == StatusNew || s == StatusOpen || s == StatusWaiting }

// running reports whether the deadline clocks run in s: they stop while the case waits for
// the citizen and while it is resolved (a reopened case goes on with the time it had left).
func (s CaseStatus) running() bool { return s == StatusNew || s == StatusOpen }

// Case is a support case: one matter of one citizen, with its reference code, routing and
// deadlines. Its history is the timeline (Entry).
type Case struct {
	ID int64
	// Ref is the six-letter reference code the citizen is given.
	Ref      string
	Channel  Channel
	System   System
	Category Category
	Priority Priority
	Status   CaseStatus
	// AssigneeID is the member of staff working on the case; 0 when unassigned.
	AssigneeID int64
	// Tags are short lower-case labels, sorted.
	Tags []string
	// MitIDID is the citizen's MitID when known; 0 for an anonymous caller or web form.
	MitIDID int64
	// Name, Email and Phone are the contact details given with the case.
	Name, Email, Phone string
	// Lang is the language ("da" or "en") replies to the citizen are written in.
	Lang      string
	Subject   string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the changes of status, assignee, priority and tags; a change names the
	// version it was made on (ErrConflict when another came first).
	Version int
	// FirstResponse and Resolution are the case's deadlines (deadline.go).
	FirstResponse, Resolution Deadline
	// NextDue is the earliest deadline of an active case that runs or was breached and is not
	// met; zero when there is none. The queues sort on it.
	NextDue time.Time
	// UnreadSince is when the citizen wrote what nobody on the desk has read yet; zero when read.
	UnreadSince time.Time
}

// Breach is the state the queues show for the case at now: the worse of its running
// deadlines for an active case (breached, due soon, ok, or paused while both clocks are
// stopped), and for a resolved or closed one whether the resolution was met in time.
func (c Case) Breach(now time.Time) BreachState {
	if !c.Status.Active() {
		return c.Resolution.State(now)
	}
	states := []BreachState{c.Resolution.State(now)}
	if c.FirstResponse.Met.IsZero() {
		states = append(states, c.FirstResponse.State(now))
	}
	return slices.MaxFunc(states, func(a, b BreachState) int { return a.severity() - b.severity() })
}
