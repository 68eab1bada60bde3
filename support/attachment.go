package support

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/fault"
)

// Limits on the files a citizen sends with a message (a mail or the web form).
const (
	MaxAttachmentBytes  = 10 << 20 // one file
	MaxAttachmentsBytes = 25 << 20 // all the files of one message
	MaxAttachments      = 10       // files per message
	maxAttachmentName   = 200      // characters of a file name
)

// Errors of attachments; the web form shows them at its file field, a mail's refusal becomes a
// note on the timeline.
var (
	ErrAttachmentType     = fault.New("support", fault.Invalid, "mailin.err.attachment_type")
	ErrAttachmentTooLarge = fault.New("support", fault.Invalid, "mailin.err.attachment_too_large")
	ErrAttachmentsTooMany = fault.New("support", fault.Invalid, "mailin.err.attachments_too_many")
	ErrAttachmentsTotal   = fault.New("support", fault.Invalid, "mailin.err.attachments_total")
	ErrAttachmentEmpty    = fault.New("support", fault.Invalid, "mailin.err.attachment_empty")
)

// AttachmentMessageIDs lists the message IDs of the attachment errors, for the locale test.
func AttachmentMessageIDs() []string {
	return []string{ErrAttachmentType.MsgID, ErrAttachmentTooLarge.MsgID, ErrAttachmentsTooMany.MsgID,
		ErrAttachmentsTotal.MsgID, ErrAttachmentEmpty.MsgID}
}

// AttachmentTypes are the content types a file may have, as sniffed from its first bytes: what
// a citizen sends to show a problem (a scan, a screenshot, a text). Anything else (executables,
// office files with macros, archives) is refused.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"}

// SniffType returns the type of a file from its first bytes (at most 512 are looked at), and
// whether that type is allowed. The type the sender claims is never asked.
func SniffType(head []byte) (string, bool) {
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t, valid(AttachmentTypes, t)
}

// SanitizeName makes a file name the sender chose safe to store, show and offer as a download
// name: valid UTF-8, no control or formatting characters (NUL, line breaks, right-to-left
// overrides), no directories, no leading dots, at most 200 characters with the extension kept.
// A name with nothing left is "file".
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '/'
		case unicode.IsSpace(r): // a line break or tab too: the name stays on one line
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			return -1
		case r == '"' || r == '<' || r == '>' || r == ':' || r == '|' || r == '?' || r == '*':
			return '_'
		}
		return r
	}, name)
	name = path.Base("/" + name)
	name = strings.Trim(strings.Join(strings.Fields(name), " "), " .")
	if name == "" || name == "/" {
		return "file"
	}
	if utf8.RuneCountInString(name) > maxAttachmentName {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		runes := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimSpace(string(runes[:maxAttachmentName-utf8.RuneCountInString(ext)])) + ext
	}
	return name
}

// NewAttachment is a file already in the blob store, to go with a message.
type NewAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Attachment is a stored file of a case's message.
type Attachment struct {
	ID, CaseID, EntryID int64
	NewAttachment
	CreatedAt time.Time
}

// CheckAttachments applies the count and total-size limits to the files of one message.
func CheckAttachments(files []NewAttachment) error {
	var total int64
	for _, f := range files {
		total += f.Size
	}
	switch {
	case len(files) > MaxAttachments:
		return ErrAttachmentsTooMany
	case total > MaxAttachmentsBytes:
		return ErrAttachmentsTotal
	}
	return nil
}

// insertAttachments records the files of entry e, in e's transaction.
func insertAttachments(ctx context.Context, tx pgx.Tx, e Entry, files []NewAttachment) error {
	if err := CheckAttachments(files); err != nil {
		return err
	}
	for _, f := range files {
		if f.Size <= 0 || f.Size > MaxAttachmentBytes || !valid(AttachmentTypes, f.ContentType) {
			return fmt.Errorf("support: attachment %q not checked before storing", f.Name)
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO support_attachment (case_id, entry_id, name, content_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			e.CaseID, e.ID, SanitizeName(f.Name), f.ContentType, f.Size, f.SHA256, e.At)
		if err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
	return nil
}

const attachmentColumns = `id, case_id, entry_id, name, content_type, size, sha256, created_at`

func scanAttachment(row pgx.CollectableRow) (Attachment, error) {
	var a Attachment
	err := row.Scan(&a.ID, &a.CaseID, &a.EntryID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt)
	return a, err
}

// Attachments returns the files of a case, oldest first, for the staff timeline.
func (s *Cases) Attachments(ctx context.Context, caseID int64) ([]Attachment, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM support_attachment WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("attachments of case: %w", err)
	}
	return pgx.CollectRows(rows, scanAttachment)
}

// Attachment returns file id of the case, or ErrNotFound (also when it belongs to another case).
func (s *Cases) Attachment(ctx context.Context, caseID, id int64) (Attachment, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM support_attachment WHERE case_id = $1 AND id = $2`, caseID, id)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment: %w", err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAttachment)
	if errors.Is(err, pgx.ErrNoRows) {
		return Attachment{}, ErrNotFound
	}
	return a, err
}
