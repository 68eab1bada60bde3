package support

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// maxRefTries bounds the draws of a fresh reference code. With the table a third full, ten
// collisions in a row happen once in 60,000 cases.
const maxRefTries = 10

// NewCase is what opening a case needs.
type NewCase struct {
	Channel  Channel
	System   System
	Category Category
	// Priority "" takes DefaultPriority(Category). An identity-theft case is urgent whatever
	// is given.
	Priority Priority
	// MitIDID is the citizen's MitID when known (logged in, or identified by the agent).
	MitIDID int64
	// Name, Email and Phone are the contact details. Without a MitIDID a name and an e-mail
	// address or phone number are required.
	Name, Email, Phone string
	// Lang is the language of replies, "da" (the default) or "en".
	Lang    string
	Subject string
	// Message is the citizen's first message; it may be empty on a case an agent opens for a
	// call. MessageID is the incoming mail's Message-ID on a case opened by e-mail.
	Message   string
	MessageID string
	// Attachments are the files sent with Message, already in the blob store.
	Attachments []NewAttachment
	// StaffID is the member of staff opening the case; 0 when the citizen does.
	StaffID int64
	// AssigneeID assigns the case at once, e.g. to the agent taking the call; 0 for none.
	AssigneeID int64
	Tags       []string
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,28}[0-9]$`)

// normalize checks n and returns it trimmed, with defaults filled in.
func (n NewCase) normalize() (NewCase, error) {
	n.Subject, n.Message = strings.TrimSpace(n.Subject), strings.TrimSpace(n.Message)
	n.Name, n.Email, n.Phone = strings.TrimSpace(n.Name), strings.TrimSpace(n.Email), strings.TrimSpace(n.Phone)
	if n.Lang == "" {
		n.Lang = "da"
	}
	if n.Priority == "" || n.Category == CategoryIdentityTheft {
		n.Priority = DefaultPriority(n.Category)
	}
	tags, err := normalizeTags(n.Tags)
	if err != nil {
		return n, err
	}
	n.Tags = tags
	switch {
	case !valid(Channels, n.Channel):
		return n, ErrChannelInvalid
	case !valid(Systems, n.System):
		return n, ErrSystemInvalid
	case !valid(Categories, n.Category):
		return n, ErrCategoryInvalid
	case !valid(Priorities, n.Priority):
		return n, ErrPriorityInvalid
	case n.Lang != "da" && n.Lang != "en":
		return n, ErrLangInvalid
	case n.Subject == "":
		return n, ErrSubjectRequired
	case utf8.RuneCountInString(n.Subject) > MaxSubject || strings.ContainsAny(n.Subject, "\r\n"):
		return n, ErrSubjectTooLong
	case utf8.RuneCountInString(n.Message) > MaxBody:
		return n, ErrBodyTooLong
	case utf8.RuneCountInString(n.Name) > MaxName:
		return n, ErrNameTooLong
	case n.MitIDID == 0 && n.Name == "":
		return n, ErrNameRequired
	case n.MitIDID == 0 && n.Email == "" && n.Phone == "":
		return n, ErrContactRequired
	case n.Phone != "" && !phonePattern.MatchString(n.Phone):
		return n, ErrPhoneInvalid
	case n.MessageID != "" && !messageIDPattern.MatchString(n.MessageID):
		return n, ErrMessageIDInvalid
	case len(n.Attachments) > 0 && n.Message == "":
		return n, ErrBodyRequired // files go with a message
	}
	if n.Email != "" {
		a, err := mail.ParseAddress(n.Email)
		if err != nil || a.Address != n.Email || len(n.Email) > 254 {
			return n, ErrEmailInvalid
		}
	}
	return n, nil
}

func valid[T comparable](all []T, v T) bool {
	for _, x := range all {
		if x == v {
			return true
		}
	}
	return false
}

// Open opens a case with status new: it draws a unique reference code, records the first
// message (and the assignment, when AssigneeID is set) on the timeline and sets the deadlines.
func (s *Cases) Open(ctx context.Context, n NewCase) (Case, error) {
	var c Case
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		c, err = s.OpenTx(ctx, tx, n)
		return err
	})
	return c, err
}

// OpenTx is Open in the caller's transaction, so that what the opening reports (the receipt
// mail to the citizen) commits together with the case, or not at all.
func (s *Cases) OpenTx(ctx context.Context, tx pgx.Tx, n NewCase) (Case, error) {
	n, err := n.normalize()
	if err != nil {
		return Case{}, err
	}
	now := s.now()
	var c Case
	err = func() error {
		if n.AssigneeID != 0 {
			if err := checkAssignee(ctx, tx, n.AssigneeID); err != nil {
				return err
			}
		}
		id, err := s.insertCase(ctx, tx, n, now)
		if err != nil {
			return err
		}
		if n.Message != "" {
			e := Entry{CaseID: id, At: now, Kind: EntryMessage, StaffID: n.StaffID, Body: n.Message, MessageID: n.MessageID}
			if e, err = insertEntry(ctx, tx, e); err != nil {
				return err
			}
			if err := insertAttachments(ctx, tx, e, n.Attachments); err != nil {
				return err
			}
		}
		if n.AssigneeID != 0 {
			e := Entry{CaseID: id, At: now, Kind: EntryAssignment, StaffID: n.StaffID, From: "", To: staffValue(n.AssigneeID)}
			if _, err := insertEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := s.refreshDeadlines(ctx, tx, id); err != nil {
			return err
		}
		c, err = getCase(ctx, tx, `id = $1`, id)
		return err
	}()
	return c, err
}

// insertCase inserts the case row under a fresh reference code, drawing again when the code
// is taken (ON CONFLICT keeps the transaction usable).
func (s *Cases) insertCase(ctx context.Context, tx pgx.Tx, n NewCase, now time.Time) (int64, error) {
	for range maxRefTries {
		ref, err := s.newRef()
		if err != nil {
			return 0, fmt.Errorf("draw reference code: %w", err)
		}
		var id int64
		err = tx.QueryRow(ctx, `
			INSERT INTO support_case (ref, channel, system, category, priority, assignee_id, tags,
				mitid_id, contact_name, contact_email, contact_phone, lang, subject, created_at,
				updated_at, search)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14,
				setweight(to_tsvector('danish', $13), 'A') || setweight(to_tsvector('danish', $15), 'B'))
			ON CONFLICT (ref) DO NOTHING
			RETURNING id`,
			ref, n.Channel, n.System, n.Category, n.Priority, nullID(n.AssigneeID), n.Tags,
			nullID(n.MitIDID), n.Name, n.Email, n.Phone, n.Lang, n.Subject, now, n.Message).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			continue // the code is taken
		case foreignKey(err, "support_case_mitid_id_fkey"):
			return 0, ErrCitizenUnknown
		case err != nil:
			return 0, fmt.Errorf("insert case: %w", err)
		}
		return id, nil
	}
	return 0, fmt.Errorf("insert case: %d reference codes in a row were taken", maxRefTries)
}
