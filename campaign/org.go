// Package campaign is the campaign and communication-pack side of the portal (DESIGN.md §6):
// the stakeholder organisations that use the packs, their members (citizens who log in with
// their MitID) and invitations. It owns its tables and transactions; what it tells the rest of
// the portal (audit entries, mails) goes through the Hooks that app/ wires, inside the same
// transaction as the change.
package campaign

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/audit"
	"mitidportal/db"
)

// Kind is the kind of an organisation.
type Kind string

// The kinds of organisation the packs are made for.
const (
	KindInterest       Kind = "interest_organisation"
	KindAssociation    Kind = "association"
	KindSchool         Kind = "school"
	KindCitizenService Kind = "citizen_service"
	KindLibrary        Kind = "library"
	KindAccountant     Kind = "accountant_lawyer"
	KindBusinessCentre Kind = "business_centre"
	KindPartnerChannel Kind = "partner_channel"
	KindBroker         Kind = "broker"
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{KindInterest, KindAssociation, KindSchool, KindCitizenService, KindLibrary,
	KindAccountant, KindBusinessCentre, KindPartnerChannel, KindBroker}

// MsgID is the message ID of the kind's display name.
func (k Kind) MsgID() string { return "campaign.kind." + string(k) }

// OrgStatus is where an organisation's application stands.
type OrgStatus string

// Application states.
const (
	OrgPending  OrgStatus = "pending"
	OrgApproved OrgStatus = "approved"
	OrgRejected OrgStatus = "rejected"
)

// MsgID is the message ID of the status's display name.
func (s OrgStatus) MsgID() string { return "campaign.org_status." + string(s) }

// MemberRole is a member's role in an organisation.
type MemberRole string

// Roles in an organisation.
const (
	RoleAdmin  MemberRole = "admin"
	RoleMember MemberRole = "member"
)

// MsgID is the message ID of the role's display name.
func (r MemberRole) MsgID() string { return "campaign.role." + string(r) }

// Organisation is a stakeholder organisation.
type Organisation struct {
	ID           int64
	CVR          string
	Name         string
	Kind         Kind
	Status       OrgStatus
	ForumMember  bool
	ContactName  string
	ContactEmail string
	Lang         string
	AppliedAt    time.Time
	DecidedAt    *time.Time
	DecidedBy    int64
	DecisionNote string
}

// Application is what an organisation sends to apply.
type Application struct {
	CVR, Name    string
	Kind         Kind
	ContactName  string
	ContactEmail string
	Lang         string
}

// Limits of typed values.
const (
	MaxName = 200
	MaxNote = 1000
)

// Applications are limited per client address and per contact e-mail address: ApplyLimit in
// ApplyWindow under the throttle purpose ThrottleApply (app/ adds the rule), so a script cannot
// flood the editors' queue.
const (
	ThrottleApply = "org-apply"
	ApplyLimit    = 5
	ApplyWindow   = time.Hour
)

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 7 * 24 * time.Hour

// Event is a change the rest of the portal hears of, inside the change's transaction.
type Event struct {
	// Actor is who did it: "staff:12", "mitid:7" or "system".
	Actor  string
	Action string // EventApplied, ...
	Org    Organisation
	// Detail names further facts (the member's MitID, the new role, a decision note).
	Detail map[string]any
}

// Event actions.
const (
	EventApplied       = "org_applied"
	EventApproved      = "org_approved"
	EventRejected      = "org_rejected"
	EventInvited       = "org_member_invited"
	EventJoined        = "org_member_joined"
	EventRoleChanged   = "org_member_role_changed"
	EventMemberRemoved = "org_member_removed"
	EventForumMember   = "org_forum_member"
)

// Invitation is an invitation about to be mailed: the only place its token exists.
type Invitation struct {
	Org     Organisation
	Email   string
	Role    MemberRole
	Lang    string
	Token   string
	Expires time.Time
}

// Hooks are what the package tells the rest of the portal, each inside the transaction of the
// change (a failing hook rolls the change back). app/ wires them to the audit log and the
// outbox; nil hooks do nothing.
type Hooks struct {
	// Audit records an event (editors' decisions and membership changes are audited).
	Audit func(ctx context.Context, tx pgx.Tx, e Event) error
	// Invite mails an invitation's link.
	Invite func(ctx context.Context, tx pgx.Tx, inv Invitation) error
}

// Orgs reads and writes organisations, members and invitations.
type Orgs struct {
	pool     *pgxpool.Pool
	hooks    Hooks
	now      func() time.Time
	throttle Throttle
}

// Throttle counts attempts per purpose and key and refuses those over the purpose's limit
// (identity.AddressThrottle).
type Throttle interface {
	Take(ctx context.Context, purpose, key string) error
}

// SetThrottle sets the throttle ApplyFrom counts applications on.
func (o *Orgs) SetThrottle(t Throttle) { o.throttle = t }

// NewOrgs returns an Orgs on pool.
func NewOrgs(pool *pgxpool.Pool, hooks Hooks) *Orgs {
	return &Orgs{pool: pool, hooks: hooks, now: time.Now}
}

// SetClock replaces the clock (tests move time).
func (o *Orgs) SetClock(now func() time.Time) { o.now = now }

func (a Application) normalize() (Application, error) {
	var err error
	if a.CVR, err = NormalizeCVR(a.CVR); err != nil {
		return a, err
	}
	a.Name = strings.TrimSpace(a.Name)
	a.ContactName = strings.TrimSpace(a.ContactName)
	switch {
	case a.Name == "" || a.ContactName == "":
		return a, ErrNameRequired
	case utf8.RuneCountInString(a.Name) > MaxName || utf8.RuneCountInString(a.ContactName) > MaxName:
		return a, ErrNameTooLong
	case !slices.Contains(Kinds, a.Kind):
		return a, ErrKindInvalid
	case a.Lang != "da" && a.Lang != "en":
		return a, ErrLangInvalid
	}
	if a.ContactEmail, err = normEmail(a.ContactEmail); err != nil {
		return a, err
	}
	return a, nil
}

func normEmail(s string) (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || addr.Name != "" || len(addr.Address) > 254 {
		return "", ErrEmailInvalid
	}
	return addr.Address, nil
}

// Apply records an organisation's application; ErrCVRTaken when the CVR number already has a
// pending or approved organisation.
func (o *Orgs) Apply(ctx context.Context, a Application) (Organisation, error) {
	a, err := a.normalize()
	if err != nil {
		return Organisation{}, err
	}
	var org Organisation
	err = db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		err := scanOrg(tx.QueryRow(ctx, `
			INSERT INTO organisation (cvr, name, kind, contact_name, contact_email, lang, applied_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+orgColumns,
			a.CVR, a.Name, a.Kind, a.ContactName, a.ContactEmail, a.Lang, o.now()), &org)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ErrCVRTaken
		}
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		return o.audit(ctx, tx, Event{Actor: "system", Action: EventApplied, Org: org})
	})
	return org, err
}

// ApplyFrom is Apply for an application sent from client address addr: a valid application
// is counted per address and per contact e-mail address before it is stored (ThrottleApply;
// the throttle's error, with its wait, when either is over the limit), so that parallel posts
// cannot flood the editors' queue or send one contact person mail after mail. Without a
// throttle (SetThrottle) it is Apply.
func (o *Orgs) ApplyFrom(ctx context.Context, addr string, a Application) (Organisation, error) {
	checked, err := a.normalize()
	if err != nil {
		return Organisation{}, err
	}
	if o.throttle != nil {
		h := sha256.Sum256([]byte(strings.ToLower(checked.ContactEmail)))
		for _, key := range []string{addr, "mail:" + hex.EncodeToString(h[:12])} {
			if err := o.throttle.Take(ctx, ThrottleApply, key); err != nil {
				return Organisation{}, err
			}
		}
	}
	return o.Apply(ctx, a)
}

// Decide approves or rejects a pending application as campaign editor staffID. Approval
// invites the contact person as the organisation's first admin. Deciding twice is
// ErrAlreadyDecided, however many editors press the button at once.
func (o *Orgs) Decide(ctx context.Context, orgID, staffID int64, approve bool, note string) (Organisation, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Organisation{}, ErrNoteTooLong
	}
	status, action := OrgRejected, EventRejected
	if approve {
		status, action = OrgApproved, EventApproved
	}
	var org Organisation
	err := db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		err := scanOrg(tx.QueryRow(ctx, `
			UPDATE organisation SET status = $2, decided_at = $3, decided_by = $4, decision_note = $5
			WHERE id = $1 AND status = 'pending' RETURNING `+orgColumns,
			orgID, status, o.now(), staffID, note), &org)
		if errors.Is(err, pgx.ErrNoRows) {
			if _, err := orgByID(ctx, tx, orgID); err != nil {
				return err
			}
			return ErrAlreadyDecided
		}
		if err != nil {
			return fmt.Errorf("decide: %w", err)
		}
		actor := audit.Staff(staffID)
		if err := o.audit(ctx, tx, Event{Actor: actor, Action: action, Org: org,
			Detail: map[string]any{"note": note}}); err != nil {
			return err
		}
		if !approve {
			return nil
		}
		_, err = o.invite(ctx, tx, org, actor, org.ContactEmail, RoleAdmin, org.Lang)
		return err
	})
	return org, err
}

// ByID returns the organisation with id.
func (o *Orgs) ByID(ctx context.Context, id int64) (Organisation, error) {
	return orgByID(ctx, o.pool, id)
}

// Pending returns the applications waiting for a decision, oldest first.
func (o *Orgs) Pending(ctx context.Context) ([]Organisation, error) {
	return o.list(ctx, `WHERE status = 'pending' ORDER BY applied_at, id`)
}

// Approved returns the approved organisations by name.
func (o *Orgs) Approved(ctx context.Context) ([]Organisation, error) {
	return o.list(ctx, `WHERE status = 'approved' ORDER BY lower(name), id`)
}

func (o *Orgs) list(ctx context.Context, where string) ([]Organisation, error) {
	rows, err := o.pool.Query(ctx, `SELECT `+orgColumns+` FROM organisation `+where)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Organisation, error) {
		var org Organisation
		return org, scanOrg(row, &org)
	})
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return list, nil
}

// SetForumMember makes an approved organisation a member of the stakeholder forum, or not.
func (o *Orgs) SetForumMember(ctx context.Context, orgID, staffID int64, forum bool) error {
	return db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		var org Organisation
		err := scanOrg(tx.QueryRow(ctx, `UPDATE organisation SET forum_member = $2 WHERE id = $1 RETURNING `+orgColumns,
			orgID, forum), &org)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("forum member: %w", err)
		}
		return o.audit(ctx, tx, Event{Actor: audit.Staff(staffID), Action: EventForumMember,
			Org: org, Detail: map[string]any{"forum": forum}})
	})
}

func (o *Orgs) audit(ctx context.Context, tx pgx.Tx, e Event) error {
	if o.hooks.Audit == nil {
		return nil
	}
	return o.hooks.Audit(ctx, tx, e)
}

// orgColumns are the columns scanOrg reads; orgColumnsOf names them with a table alias.
var orgColumns = orgColumnsOf("")

func orgColumnsOf(alias string) string {
	return fmt.Sprintf(`%[1]sid, %[1]scvr, %[1]sname, %[1]skind, %[1]sstatus, %[1]sforum_member,
	%[1]scontact_name, %[1]scontact_email, %[1]slang, %[1]sapplied_at, %[1]sdecided_at,
	coalesce(%[1]sdecided_by, 0), %[1]sdecision_note`, alias)
}

func scanOrg(row pgx.Row, org *Organisation) error {
	return row.Scan(&org.ID, &org.CVR, &org.Name, &org.Kind, &org.Status, &org.ForumMember,
		&org.ContactName, &org.ContactEmail, &org.Lang, &org.AppliedAt, &org.DecidedAt, &org.DecidedBy,
		&org.DecisionNote)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func orgByID(ctx context.Context, q querier, id int64) (Organisation, error) {
	var org Organisation
	err := scanOrg(q.QueryRow(ctx, `SELECT `+orgColumns+` FROM organisation WHERE id = $1`, id), &org)
	if errors.Is(err, pgx.ErrNoRows) {
		return org, ErrNotFound
	}
	if err != nil {
		return org, fmt.Errorf("organisation: %w", err)
	}
	return org, nil
}
