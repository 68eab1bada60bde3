package campaign

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Member is a citizen's membership of an organisation.
type Member struct {
	OrgID    int64
	MitIDID  int64
	Role     MemberRole
	Email    string
	Lang     string
	JoinedAt time.Time
	// Name is the member's name from the register, for lists.
	Name string
}

// Membership is one of a citizen's organisations with the role held there.
type Membership struct {
	Org  Organisation
	Role MemberRole
}

func mitidActor(id int64) string { return "mitid:" + strconv.FormatInt(id, 10) }

// Invite invites email to organisation orgID with role, as admin byMitID of that organisation;
// the invitation's link goes out through the Invite hook in the same transaction.
func (o *Orgs) Invite(ctx context.Context, orgID, byMitID int64, email string, role MemberRole, lang string) error {
	email, err := normEmail(email)
	if err != nil {
		return err
	}
	if role != RoleAdmin && role != RoleMember {
		return ErrRoleInvalid
	}
	if lang != "da" && lang != "en" {
		return ErrLangInvalid
	}
	return db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		org, err := lockOrg(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := requireAdmin(ctx, tx, orgID, byMitID); err != nil {
			return err
		}
		_, err = o.invite(ctx, tx, org, mitidActor(byMitID), email, role, lang)
		return err
	})
}

// invite stores an invitation and hands it to the Invite hook.
func (o *Orgs) invite(ctx context.Context, tx pgx.Tx, org Organisation, by, email string, role MemberRole, lang string) (Invitation, error) {
	if org.Status != OrgApproved {
		return Invitation{}, ErrNotApproved
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	now := o.now()
	inv := Invitation{Org: org, Email: email, Role: role, Lang: lang,
		Token: base64.RawURLEncoding.EncodeToString(b), Expires: now.Add(InvitationLifetime)}
	_, err := tx.Exec(ctx, `
		INSERT INTO organisation_invitation (token_hash, organisation_id, email, role, lang, invited_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		tokenHash(inv.Token), org.ID, email, role, lang, by, now, inv.Expires)
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	if err := o.audit(ctx, tx, Event{Actor: by, Action: EventInvited, Org: org,
		Detail: map[string]any{"role": string(role)}}); err != nil {
		return Invitation{}, err
	}
	if o.hooks.Invite != nil {
		if err := o.hooks.Invite(ctx, tx, inv); err != nil {
			return Invitation{}, err
		}
	}
	return inv, nil
}

// InvitationOf returns the organisation and role an unused, unexpired invitation token offers,
// without spending it (the page that shows the "accept" button).
func (o *Orgs) InvitationOf(ctx context.Context, token string) (Organisation, MemberRole, error) {
	var orgID int64
	var role MemberRole
	err := o.pool.QueryRow(ctx, `
		SELECT organisation_id, role FROM organisation_invitation
		WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2`,
		tokenHash(token), o.now()).Scan(&orgID, &role)
	if errors.Is(err, pgx.ErrNoRows) {
		return Organisation{}, "", ErrInvitationInvalid
	}
	if err != nil {
		return Organisation{}, "", fmt.Errorf("invitation: %w", err)
	}
	org, err := orgByID(ctx, o.pool, orgID)
	return org, role, err
}

// Accept spends an invitation for the citizen mitidID, who becomes a member with the invited
// role (an existing member keeps the stronger of the two roles). The token works once: spending
// it is one UPDATE that only an unused, unexpired invitation passes.
func (o *Orgs) Accept(ctx context.Context, token string, mitidID int64) (Membership, error) {
	var m Membership
	err := db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		now := o.now()
		var orgID int64
		var email, lang string
		err := tx.QueryRow(ctx, `
			UPDATE organisation_invitation SET accepted_at = $2, accepted_by = $3
			WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2
			RETURNING organisation_id, role, email, lang`,
			tokenHash(token), now, mitidID).Scan(&orgID, &m.Role, &email, &lang)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrInvitationInvalid
		}
		if err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		if m.Org, err = lockOrg(ctx, tx, orgID); err != nil {
			return err
		}
		if m.Org.Status != OrgApproved {
			return ErrInvitationInvalid
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO organisation_member (organisation_id, mitid_id, role, email, lang, joined_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (organisation_id, mitid_id) DO UPDATE
				SET role = CASE WHEN organisation_member.role = 'admin' THEN 'admin' ELSE EXCLUDED.role END,
				    email = EXCLUDED.email, lang = EXCLUDED.lang
			RETURNING role`, orgID, mitidID, m.Role, email, lang, now).Scan(&m.Role)
		if err != nil {
			return fmt.Errorf("join: %w", err)
		}
		return o.audit(ctx, tx, Event{Actor: mitidActor(mitidID), Action: EventJoined, Org: m.Org,
			Detail: map[string]any{"role": string(m.Role), "mitid": mitidID}})
	})
	return m, err
}

// MembershipsOf returns the approved organisations the citizen mitidID belongs to, by name.
func (o *Orgs) MembershipsOf(ctx context.Context, mitidID int64) ([]Membership, error) {
	rows, err := o.pool.Query(ctx, `
		SELECT m.role, `+orgColumnsOf("o.")+`
		FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE m.mitid_id = $1 AND o.status = 'approved' ORDER BY lower(o.name), o.id`, mitidID)
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Membership, error) {
		var m Membership
		o := &m.Org
		err := row.Scan(&m.Role, &o.ID, &o.CVR, &o.Name, &o.Kind, &o.Status, &o.ForumMember,
			&o.ContactName, &o.ContactEmail, &o.Lang, &o.AppliedAt, &o.DecidedAt, &o.DecidedBy, &o.DecisionNote)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return list, nil
}

// Members returns the members of organisation orgID, admins first, with their names.
func (o *Orgs) Members(ctx context.Context, orgID int64) ([]Member, error) {
	rows, err := o.pool.Query(ctx, `
		SELECT m.organisation_id, m.mitid_id, m.role, m.email, m.lang, m.joined_at,
		       trim(p.given_name || ' ' || p.family_name)
		FROM organisation_member m JOIN mitid i ON i.id = m.mitid_id JOIN person p ON p.cpr = i.cpr
		WHERE m.organisation_id = $1 ORDER BY m.role, lower(p.family_name), m.mitid_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Member, error) {
		var m Member
		err := row.Scan(&m.OrgID, &m.MitIDID, &m.Role, &m.Email, &m.Lang, &m.JoinedAt, &m.Name)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return list, nil
}

// SetRole gives member target the role, as admin byMitID. The organisation never goes without
// an admin: taking the last admin's role is ErrLastAdmin.
func (o *Orgs) SetRole(ctx context.Context, orgID, byMitID, target int64, role MemberRole) error {
	if role != RoleAdmin && role != RoleMember {
		return ErrRoleInvalid
	}
	return o.changeMember(ctx, orgID, byMitID, target, func(tx pgx.Tx, org Organisation) error {
		tag, err := tx.Exec(ctx, `UPDATE organisation_member SET role = $3 WHERE organisation_id = $1 AND mitid_id = $2`,
			orgID, target, role)
		if err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return o.audit(ctx, tx, Event{Actor: mitidActor(byMitID), Action: EventRoleChanged, Org: org,
			Detail: map[string]any{"mitid": target, "role": string(role)}})
	})
}

// Remove ends target's membership, as admin byMitID or as the member themselves (leaving). The
// last admin can neither be removed nor leave: ErrLastAdmin.
func (o *Orgs) Remove(ctx context.Context, orgID, byMitID, target int64) error {
	return o.changeMember(ctx, orgID, byMitID, target, func(tx pgx.Tx, org Organisation) error {
		tag, err := tx.Exec(ctx, `DELETE FROM organisation_member WHERE organisation_id = $1 AND mitid_id = $2`, orgID, target)
		if err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return o.audit(ctx, tx, Event{Actor: mitidActor(byMitID), Action: EventMemberRemoved, Org: org,
			Detail: map[string]any{"mitid": target}})
	})
}

// changeMember runs change under the organisation's row lock, so concurrent changes are checked
// one after the other, and refuses a result without an admin.
func (o *Orgs) changeMember(ctx context.Context, orgID, byMitID, target int64, change func(pgx.Tx, Organisation) error) error {
	return db.Transact(ctx, o.pool, func(tx pgx.Tx) error {
		org, err := lockOrg(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if byMitID != target {
			if err := requireAdmin(ctx, tx, orgID, byMitID); err != nil {
				return err
			}
		}
		if err := change(tx, org); err != nil {
			return err
		}
		var admins int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM organisation_member WHERE organisation_id = $1 AND role = 'admin'`,
			orgID).Scan(&admins); err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		if admins == 0 {
			return ErrLastAdmin
		}
		return nil
	})
}

func lockOrg(ctx context.Context, tx pgx.Tx, id int64) (Organisation, error) {
	var org Organisation
	err := scanOrg(tx.QueryRow(ctx, `SELECT `+orgColumns+` FROM organisation WHERE id = $1 FOR UPDATE`, id), &org)
	if errors.Is(err, pgx.ErrNoRows) {
		return org, ErrNotFound
	}
	if err != nil {
		return org, fmt.Errorf("lock organisation: %w", err)
	}
	return org, nil
}

func requireAdmin(ctx context.Context, tx pgx.Tx, orgID, mitidID int64) error {
	var role MemberRole
	err := tx.QueryRow(ctx, `SELECT role FROM organisation_member WHERE organisation_id = $1 AND mitid_id = $2`,
		orgID, mitidID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && role != RoleAdmin {
		return ErrNotAdmin
	}
	if err != nil {
		return fmt.Errorf("admin check: %w", err)
	}
	return nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// RoleIn returns the role the citizen mitidID holds in the approved organisation orgID, or
// ErrNotFound when they are no member of it (or it is not approved): pages ask this on every
// request, since the roles a session got at login may be older than a change of them.
func (o *Orgs) RoleIn(ctx context.Context, orgID, mitidID int64) (MemberRole, error) {
	var role MemberRole
	err := o.pool.QueryRow(ctx, `
		SELECT m.role FROM organisation_member m JOIN organisation o ON o.id = m.organisation_id
		WHERE m.organisation_id = $1 AND m.mitid_id = $2 AND o.status = 'approved'`, orgID, mitidID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("role in organisation: %w", err)
	}
	return role, nil
}
