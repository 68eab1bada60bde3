package campaign

import "mitidportal/fault"

// Errors of this package; each carries the message ID a handler shows.
var (
	ErrCVRInvalid        = fault.New("campaign", fault.Invalid, "campaign.err.cvr_invalid")
	ErrCVRTaken          = fault.New("campaign", fault.Conflict, "campaign.err.cvr_taken")
	ErrNameRequired      = fault.New("campaign", fault.Invalid, "campaign.err.name_required")
	ErrNameTooLong       = fault.New("campaign", fault.Invalid, "campaign.err.name_too_long")
	ErrKindInvalid       = fault.New("campaign", fault.Invalid, "campaign.err.kind_invalid")
	ErrEmailInvalid      = fault.New("campaign", fault.Invalid, "campaign.err.email_invalid")
	ErrLangInvalid       = fault.New("campaign", fault.Invalid, "campaign.err.lang_invalid")
	ErrRoleInvalid       = fault.New("campaign", fault.Invalid, "campaign.err.role_invalid")
	ErrNoteTooLong       = fault.New("campaign", fault.Invalid, "campaign.err.note_too_long")
	ErrAlreadyDecided    = fault.New("campaign", fault.Conflict, "campaign.err.already_decided")
	ErrNotApproved       = fault.New("campaign", fault.Conflict, "campaign.err.not_approved")
	ErrNotAdmin          = fault.New("campaign", fault.Forbidden, "campaign.err.not_admin")
	ErrLastAdmin         = fault.New("campaign", fault.Conflict, "campaign.err.last_admin")
	ErrInvitationInvalid = fault.New("campaign", fault.NotFound, "campaign.err.invitation_invalid")
	ErrNotFound          = fault.New("campaign", fault.NotFound, "campaign.err.not_found")
)

var allErrors = []*fault.Error{
	ErrCVRInvalid, ErrCVRTaken, ErrNameRequired, ErrNameTooLong, ErrKindInvalid, ErrEmailInvalid,
	ErrLangInvalid, ErrRoleInvalid, ErrNoteTooLong, ErrAlreadyDecided, ErrNotApproved, ErrNotAdmin,
	ErrLastAdmin, ErrInvitationInvalid, ErrNotFound,
	ErrSlugInvalid, ErrSlugTaken, ErrAudienceInvalid, ErrTitleRequired, ErrItemKindInvalid,
	ErrVisibilityInvalid, ErrFileEmpty, ErrFileType, ErrFileTooLarge, ErrNoStore,
}

// MessageIDs lists every message ID this package hands to handlers: the errors and the display
// names of organisation kinds, statuses and roles. A locale test checks each exists in every
// language.
func MessageIDs() []string {
	var ids []string
	for _, e := range allErrors {
		ids = append(ids, e.MsgID)
	}
	for _, k := range Kinds {
		ids = append(ids, k.MsgID())
	}
	for _, s := range []OrgStatus{OrgPending, OrgApproved, OrgRejected} {
		ids = append(ids, s.MsgID())
	}
	for _, r := range []MemberRole{RoleAdmin, RoleMember} {
		ids = append(ids, r.MsgID())
	}
	for _, a := range Audiences {
		ids = append(ids, a.MsgID())
	}
	for _, k := range ItemKinds {
		ids = append(ids, k.MsgID())
	}
	for _, a := range ItemAudiences {
		ids = append(ids, a.MsgID())
	}
	for _, v := range Visibilities {
		ids = append(ids, v.MsgID())
	}
	for _, s := range []ItemStatus{ItemDraft, ItemPublished, ItemWithdrawn} {
		ids = append(ids, s.MsgID())
	}
	return ids
}

// Errors of packs and items.
var (
	ErrSlugInvalid       = fault.New("campaign", fault.Invalid, "campaign.err.slug_invalid")
	ErrSlugTaken         = fault.New("campaign", fault.Conflict, "campaign.err.slug_taken")
	ErrAudienceInvalid   = fault.New("campaign", fault.Invalid, "campaign.err.audience_invalid")
	ErrTitleRequired     = fault.New("campaign", fault.Invalid, "campaign.err.title_required")
	ErrItemKindInvalid   = fault.New("campaign", fault.Invalid, "campaign.err.item_kind_invalid")
	ErrVisibilityInvalid = fault.New("campaign", fault.Invalid, "campaign.err.visibility_invalid")
	ErrFileEmpty         = fault.New("campaign", fault.Invalid, "campaign.err.file_empty")
	ErrFileType          = fault.New("campaign", fault.Invalid, "campaign.err.file_type")
	ErrFileTooLarge      = fault.New("campaign", fault.Invalid, "campaign.err.file_too_large")
	ErrNoStore           = fault.New("campaign", fault.Unavailable, "campaign.err.no_store")
)
