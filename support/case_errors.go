package support

import "errors"

// Error is a rule broken by the caller's input. MsgID is the locale key a handler translates;
// Error() is for logs only and never shown to a person.
type Error struct{ MsgID string }

func (e *Error) Error() string { return "support: " + e.MsgID }

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrChannelInvalid      = &Error{MsgID: "support.err.channel_invalid"}
	ErrSystemInvalid       = &Error{MsgID: "support.err.system_invalid"}
	ErrCategoryInvalid     = &Error{MsgID: "support.err.category_invalid"}
	ErrPriorityInvalid     = &Error{MsgID: "support.err.priority_invalid"}
	ErrStatusInvalid       = &Error{MsgID: "support.err.status_invalid"}
	ErrLangInvalid         = &Error{MsgID: "support.err.lang_invalid"}
	ErrSubjectRequired     = &Error{MsgID: "support.err.subject_required"}
	ErrSubjectTooLong      = &Error{MsgID: "support.err.subject_too_long"}
	ErrBodyRequired        = &Error{MsgID: "support.err.body_required"}
	ErrBodyTooLong         = &Error{MsgID: "support.err.body_too_long"}
	ErrNameRequired        = &Error{MsgID: "support.err.name_required"}
	ErrNameTooLong         = &Error{MsgID: "support.err.name_too_long"}
	ErrContactRequired     = &Error{MsgID: "support.err.contact_required"}
	ErrEmailInvalid        = &Error{MsgID: "support.err.email_invalid"}
	ErrPhoneInvalid        = &Error{MsgID: "support.err.phone_invalid"}
	ErrTagInvalid          = &Error{MsgID: "support.err.tag_invalid"}
	ErrTooManyTags         = &Error{MsgID: "support.err.too_many_tags"}
	ErrTransition          = &Error{MsgID: "support.err.transition"}
	ErrConflict            = &Error{MsgID: "support.err.conflict"}
	ErrClosed              = &Error{MsgID: "support.err.closed"}
	ErrIdentityTheftUrgent = &Error{MsgID: "support.err.identity_theft_urgent"}
	ErrAssigneeInvalid     = &Error{MsgID: "support.err.assignee_invalid"}
	ErrCallTimes           = &Error{MsgID: "support.err.call_times"}
	ErrOutcomeInvalid      = &Error{MsgID: "support.err.outcome_invalid"}
	ErrVerifyMethodInvalid = &Error{MsgID: "support.err.verify_method_invalid"}
	ErrVerifyResultInvalid = &Error{MsgID: "support.err.verify_result_invalid"}
	ErrActionInvalid       = &Error{MsgID: "support.err.action_invalid"}
	ErrCursorInvalid       = &Error{MsgID: "support.err.cursor_invalid"}
	ErrQueueInvalid        = &Error{MsgID: "support.err.queue_invalid"}
	ErrSearchQueryTooLong  = &Error{MsgID: "support.err.search_too_long"}
	ErrMessageIDInvalid    = &Error{MsgID: "support.err.message_id_invalid"}
	ErrCitizenUnknown      = &Error{MsgID: "support.err.citizen_unknown"}

	// ErrNotFound is returned when a looked-up case does not exist; handlers map it to 404.
	ErrNotFound = errors.New("support: not found")
)

var allErrors = []*Error{
	ErrChannelInvalid, ErrSystemInvalid, ErrCategoryInvalid, ErrPriorityInvalid, ErrStatusInvalid,
	ErrLangInvalid, ErrSubjectRequired, ErrSubjectTooLong, ErrBodyRequired, ErrBodyTooLong,
	ErrNameRequired, ErrNameTooLong, ErrContactRequired, ErrEmailInvalid, ErrPhoneInvalid,
	ErrTagInvalid, ErrTooManyTags, ErrTransition, ErrConflict, ErrClosed, ErrIdentityTheftUrgent,
	ErrAssigneeInvalid, ErrCallTimes, ErrOutcomeInvalid, ErrVerifyMethodInvalid,
	ErrVerifyResultInvalid, ErrActionInvalid, ErrCursorInvalid, ErrQueueInvalid,
	ErrSearchQueryTooLong, ErrMessageIDInvalid, ErrCitizenUnknown,
}

// MessageIDs lists every message ID this package hands to handlers: the errors and the
// display names of channels, systems, categories, priorities, statuses, breach states,
// queues, timeline kinds, call outcomes, verification methods and results, actions and canned
// replies. A test checks that each exists in every language.
func MessageIDs() []string {
	var ids []string
	for _, e := range allErrors {
		ids = append(ids, e.MsgID)
	}
	ids = appendIDs(ids, Channels)
	ids = appendIDs(ids, Systems)
	ids = appendIDs(ids, Categories)
	ids = appendIDs(ids, Priorities)
	ids = appendIDs(ids, Statuses)
	ids = appendIDs(ids, BreachStates)
	ids = appendIDs(ids, Queues())
	ids = appendIDs(ids, EntryKinds)
	ids = appendIDs(ids, CallOutcomes)
	ids = appendIDs(ids, VerifyMethods)
	ids = appendIDs(ids, VerifyResults)
	ids = appendIDs(ids, Actions)
	ids = appendIDs(ids, MatchKinds)
	for _, c := range CannedReplies {
		ids = append(ids, c.TitleID, c.BodyID)
	}
	return ids
}

func appendIDs[T interface{ MsgID() string }](ids []string, xs []T) []string {
	for _, x := range xs {
		ids = append(ids, x.MsgID())
	}
	return ids
}
