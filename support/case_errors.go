package support

import (
	"mitidportal/fault"
)

// Error is a rule broken by the caller's input: the portal's one error type (package fault).
type Error = fault.Error

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrChannelInvalid      = fault.New("support", fault.Invalid, "support.err.channel_invalid")
	ErrSystemInvalid       = fault.New("support", fault.Invalid, "support.err.system_invalid")
	ErrCategoryInvalid     = fault.New("support", fault.Invalid, "support.err.category_invalid")
	ErrPriorityInvalid     = fault.New("support", fault.Invalid, "support.err.priority_invalid")
	ErrStatusInvalid       = fault.New("support", fault.Invalid, "support.err.status_invalid")
	ErrLangInvalid         = fault.New("support", fault.Invalid, "support.err.lang_invalid")
	ErrSubjectRequired     = fault.New("support", fault.Invalid, "support.err.subject_required")
	ErrSubjectTooLong      = fault.New("support", fault.Invalid, "support.err.subject_too_long")
	ErrBodyRequired        = fault.New("support", fault.Invalid, "support.err.body_required")
	ErrBodyTooLong         = fault.New("support", fault.Invalid, "support.err.body_too_long")
	ErrNameRequired        = fault.New("support", fault.Invalid, "support.err.name_required")
	ErrNameTooLong         = fault.New("support", fault.Invalid, "support.err.name_too_long")
	ErrContactRequired     = fault.New("support", fault.Invalid, "support.err.contact_required")
	ErrEmailInvalid        = fault.New("support", fault.Invalid, "support.err.email_invalid")
	ErrPhoneInvalid        = fault.New("support", fault.Invalid, "support.err.phone_invalid")
	ErrTagInvalid          = fault.New("support", fault.Invalid, "support.err.tag_invalid")
	ErrTooManyTags         = fault.New("support", fault.Invalid, "support.err.too_many_tags")
	ErrTransition          = fault.New("support", fault.Conflict, "support.err.transition")
	ErrConflict            = fault.New("support", fault.Conflict, "support.err.conflict")
	ErrClosed              = fault.New("support", fault.Conflict, "support.err.closed")
	ErrIdentityTheftUrgent = fault.New("support", fault.Invalid, "support.err.identity_theft_urgent")
	ErrAssigneeInvalid     = fault.New("support", fault.Invalid, "support.err.assignee_invalid")
	ErrCallTimes           = fault.New("support", fault.Invalid, "support.err.call_times")
	ErrOutcomeInvalid      = fault.New("support", fault.Invalid, "support.err.outcome_invalid")
	ErrVerifyMethodInvalid = fault.New("support", fault.Invalid, "support.err.verify_method_invalid")
	ErrVerifyResultInvalid = fault.New("support", fault.Invalid, "support.err.verify_result_invalid")
	ErrActionInvalid       = fault.New("support", fault.Invalid, "support.err.action_invalid")
	ErrCursorInvalid       = fault.New("support", fault.Invalid, "support.err.cursor_invalid")
	ErrQueueInvalid        = fault.New("support", fault.Invalid, "support.err.queue_invalid")
	ErrSearchQueryTooLong  = fault.New("support", fault.Invalid, "support.err.search_too_long")
	ErrMessageIDInvalid    = fault.New("support", fault.Invalid, "support.err.message_id_invalid")
	ErrCitizenUnknown      = fault.New("support", fault.Invalid, "support.err.citizen_unknown")

	// ErrNotFound is returned when a looked-up case does not exist; handlers map it to 404.
	ErrNotFound = fault.New("support", fault.NotFound, "support.err.not_found")
)

var allErrors = []*Error{
	ErrChannelInvalid, ErrSystemInvalid, ErrCategoryInvalid, ErrPriorityInvalid, ErrStatusInvalid,
	ErrLangInvalid, ErrSubjectRequired, ErrSubjectTooLong, ErrBodyRequired, ErrBodyTooLong,
	ErrNameRequired, ErrNameTooLong, ErrContactRequired, ErrEmailInvalid, ErrPhoneInvalid,
	ErrTagInvalid, ErrTooManyTags, ErrTransition, ErrConflict, ErrClosed, ErrIdentityTheftUrgent,
	ErrAssigneeInvalid, ErrCallTimes, ErrOutcomeInvalid, ErrVerifyMethodInvalid,
	ErrVerifyResultInvalid, ErrActionInvalid, ErrCursorInvalid, ErrQueueInvalid,
	ErrSearchQueryTooLong, ErrMessageIDInvalid, ErrCitizenUnknown, ErrRepeated, ErrWrittenStale,
}

// MessageIDs lists every message ID this package hands to handlers: the errors and the
// display names of channels, systems, categories, priorities, statuses, breach states,
// queues, timeline kinds, call outcomes, verification methods and results, actions and the
// rules of canned replies. A test checks that each exists in every language.
func MessageIDs() []string {
	var ids []string
	for _, e := range append(allErrors, mergeErrors...) {
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
	ids = append(ids, cannedMessageIDs()...)
	ids = append(ids, ErrCitizenNotFound.MsgID)
	return ids
}

func appendIDs[T interface{ MsgID() string }](ids []string, xs []T) []string {
	for _, x := range xs {
		ids = append(ids, x.MsgID())
	}
	return ids
}
