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

// normalize checks n and returns it trimmed, with defaults filled in. Every rule n breaks is
// in the error, joined in the order of the fields (errors.Join; fault.Rules lists them), so a
// form shows each wrong field at once.
func (n NewCase) normalize() (NewCase, error) {
	return n.check(n.MitIDID != 0)
}

// check is normalize for a case that is linked to a MitID (linked), which needs no name and
// no way to reach the caller, or not: a case for a citizen named but not found is checked as
// linked, as the agent meant it to be.
func (n NewCase) check(linked bool) (NewCase, error) {
	n.Subject, n.Message = strings.TrimSpace(n.Subject), strings.TrimSpace(n.Message)
	n.Name, n.Email, n.Phone = strings.TrimSpace(n.Name), strings.TrimSpace(n.Email), strings.TrimSpace(n.Phone)
	if n.Lang == "" {
		n.Lang = "da"
	}
	if n.Priority == "" || n.Category == CategoryIdentityTheft {
		n.Priority = DefaultPriority(n.Category)
	}
	var errs []error
	broken := func(rule bool, err error) {
		if rule {
			errs = append(errs, err)
		}
	}
	broken(!valid(Channels, n.Channel), ErrChannelInvalid)
	broken(!valid(Systems, n.System), ErrSystemInvalid)
	broken(!valid(Categories, n.Category), ErrCategoryInvalid)
	broken(!valid(Priorities, n.Priority), ErrPriorityInvalid)
	broken(n.Subject == "", ErrSubjectRequired)
	broken(utf8.RuneCountInString(n.Subject) > MaxSubject || strings.ContainsAny(n.Subject, "\r\n"), ErrSubjectTooLong)
	broken(utf8.RuneCountInString(n.Name) > MaxName, ErrNameTooLong)
	broken(!linked && n.Name == "", ErrNameRequired)
	broken(!linked && n.Email == "" && n.Phone == "", ErrContactRequired)
	broken(n.Phone != "" && !phonePattern.MatchString(n.Phone), ErrPhoneInvalid)
	if n.Email != "" {
		a, err := mail.ParseAddress(n.Email)
		broken(err != nil || a.Address != n.Email || len(n.Email) > 254, ErrEmailInvalid)
	}
	broken(n.Lang != "da" && n.Lang != "en", ErrLangInvalid)
	broken(utf8.RuneCountInString(n.Message) > MaxBody, ErrBodyTooLong)
	broken(len(n.Attachments) > 0 && n.Message == "", ErrBodyRequired) // files go with a message
	broken(n.MessageID != "" && !messageIDPattern.MatchString(n.MessageID), ErrMessageIDInvalid)
	tags, err := normalizeTags(n.Tags)
	errs = append(errs, err)
	if err == nil {
		n.Tags = tags
	}
	return n, errors.Join(errs...)
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
//
// The case, its first entries and its deadlines are written by one statement (insertCase): at
// the opening the deadlines depend only on the opening time, the category and the priority,
// so they are computed here rather than read back and stored by a second UPDATE, which would
// write a second version of the row into every index of support_case.
func (s *Cases) OpenTx(ctx context.Context, tx pgx.Tx, n NewCase) (Case, error) {
	n, err := n.normalize()
	if err != nil {
		return Case{}, err
	}
	// PostgreSQL keeps microseconds: the deadlines count from the opening time as stored, as
	// refreshDeadlines computes them later from the row.
	now := s.now().Truncate(time.Microsecond)
	c, messageID, err := s.insertCase(ctx, tx, n, now)
	if err != nil {
		return Case{}, err
	}
	if len(n.Attachments) > 0 {
		e := Entry{ID: messageID, CaseID: c.ID, At: now, Kind: EntryMessage}
		if err := insertAttachments(ctx, tx, e, n.Attachments); err != nil {
			return Case{}, err
		}
	}
	return c, nil
}

// openCase inserts the case row (when the assignee, if any, may take cases) under the
// reference code $1 with its deadlines, and its first entries: the citizen's message when
// there is one, then the assignment, in that order (ORDER BY ord draws their ids). ON
// CONFLICT leaves the transaction usable when the code is taken. It returns the case and the
// id of the message entry (NULL without a message).
const openCase = `
	WITH c AS (
		INSERT INTO support_case (ref, channel, system, category, priority, assignee_id, tags,
			mitid_id, contact_name, contact_email, contact_phone, lang, subject, created_at,
			updated_at, search, first_response_due, first_response_warn, first_response_left,
			resolution_due, resolution_warn, resolution_left)
		SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::text[], $8::bigint,
			$9::text, $10::text, $11::text, $12::text, $13::text, $14::timestamptz, $14::timestamptz,
			setweight(to_tsvector('danish', $13::text), 'A') || setweight(to_tsvector('danish', $15::text), 'B'),
			$18::timestamptz, $19::timestamptz, $20::interval, $21::timestamptz, $22::timestamptz, $23::interval
		WHERE $6::bigint IS NULL OR EXISTS (
			SELECT FROM staff_user WHERE id = $6::bigint AND ` + assignable + `)
		ON CONFLICT (ref) DO NOTHING
		RETURNING ` + caseColumns + `
	), e AS (
		INSERT INTO support_entry (case_id, at, kind, staff_id, body, message_id, from_value, to_value)
		SELECT c.id, $14::timestamptz, x.kind, $17::bigint, x.body, x.message_id, x.from_value, x.to_value
		FROM c, (VALUES
			(1, 'message', $15::text, $16::text, NULL, NULL),
			(2, 'assignment', '', NULL, '', $6::bigint::text)) AS x (ord, kind, body, message_id, from_value, to_value)
		WHERE x.kind = 'message' AND $15::text <> '' OR x.kind = 'assignment' AND $6::bigint IS NOT NULL
		ORDER BY x.ord
		RETURNING id, kind
	)
	SELECT c.*, (SELECT id FROM e WHERE kind = 'message') FROM c`

// insertCase opens the case under a fresh reference code, drawing again when the code is
// taken. No row comes back either for a taken code or for an assignee who may not take cases;
// only then is the assignee looked at, to tell the two apart.
func (s *Cases) insertCase(ctx context.Context, tx pgx.Tx, n NewCase, now time.Time) (Case, int64, error) {
	first, res := s.schedule.Deadlines(Timing{Opened: now, Category: n.Category, Priority: n.Priority})
	var messageID *string
	if n.MessageID != "" {
		messageID = &n.MessageID
	}
	for range maxRefTries {
		ref, err := s.newRef()
		if err != nil {
			return Case{}, 0, fmt.Errorf("draw reference code: %w", err)
		}
		var entryID *int64
		c, err := scanCase(openRow{tx.QueryRow(ctx, openCase,
			ref, n.Channel, n.System, n.Category, n.Priority, nullID(n.AssigneeID), n.Tags,
			nullID(n.MitIDID), n.Name, n.Email, n.Phone, n.Lang, n.Subject, now, n.Message, messageID,
			nullID(n.StaffID), nullTime(first.Due), nullTime(first.Warn), stoppedLeft(first),
			nullTime(res.Due), nullTime(res.Warn), stoppedLeft(res)), &entryID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if n.AssigneeID != 0 {
				if err := checkAssignee(ctx, tx, n.AssigneeID); err != nil {
					return Case{}, 0, err
				}
			}
			continue // the code is taken
		case foreignKey(err, "support_case_mitid_id_fkey"):
			return Case{}, 0, ErrCitizenUnknown
		case err != nil:
			return Case{}, 0, fmt.Errorf("insert case: %w", err)
		}
		if entryID != nil {
			return c, *entryID, nil
		}
		return c, 0, nil
	}
	return Case{}, 0, fmt.Errorf("insert case: %d reference codes in a row were taken", maxRefTries)
}

// openRow reads the message entry's id after the case's columns (openCase).
type openRow struct {
	pgx.Row
	entryID **int64
}

func (r openRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.entryID)...) }
