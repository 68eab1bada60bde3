package forum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/blob"
	"mitidportal/campaign"
	"mitidportal/db"
	"mitidportal/support"
)

// MaxFileSize is the largest presentation or minutes file.
const MaxFileSize = campaign.MaxItemSize

// FileKind is what a meeting's file is.
type FileKind string

// Meeting files.
const (
	Presentation FileKind = "presentation"
	Minutes      FileKind = "minutes"
)

// FileKinds lists the kinds in the order forms show them.
var FileKinds = []FileKind{Presentation, Minutes}

// MsgID is the message ID of the kind's display name.
func (k FileKind) MsgID() string { return "forum.file_kind." + string(k) }

// File is a presentation or the minutes of a meeting.
type File struct {
	ID        int64
	MeetingID int64
	Kind      FileKind
	SHA256    string
	Size      int64
	MediaType string
	Filename  string
	Created   time.Time
}

const fileColumns = `id, meeting_id, kind, sha256, size, media_type, filename, created_at`

func scanFile(r pgx.Row) (File, error) {
	var fl File
	err := r.Scan(&fl.ID, &fl.MeetingID, &fl.Kind, &fl.SHA256, &fl.Size, &fl.MediaType, &fl.Filename, &fl.Created)
	return fl, err
}

// SniffFile reads the first bytes of a meeting's file: its type (the packs' types, sniffed,
// never by its name) and a reader that yields the whole file again. ErrFileEmpty or
// ErrFileType when it is no such file; a form whose other fields are wrong calls it to show
// the file's error with theirs.
func SniffFile(body io.Reader) (mediaType string, whole io.Reader, err error) {
	return blob.SniffKind(body, campaign.IsItemType, ErrFileEmpty, ErrFileType)
}

// AddFile stores an editor's upload, streamed and sniffed (the packs' types: PDF, images, MP4,
// ZIP, never by its name), as a file of meeting id.
func (f *Forum) AddFile(ctx context.Context, staffID, id int64, kind FileKind, filename string, body io.Reader) (File, error) {
	if !slices.Contains(FileKinds, kind) {
		return File{}, ErrFileKindInvalid
	}
	if f.store == nil {
		return File{}, ErrNoStore
	}
	mediaType, whole, err := SniffFile(body)
	if err != nil {
		return File{}, err
	}
	ext := campaign.ItemTypes[mediaType]
	info, err := f.store.Put(ctx, whole, MaxFileSize)
	if errors.Is(err, blob.ErrTooLarge) {
		return File{}, ErrFileTooLarge
	}
	if err != nil {
		return File{}, err
	}
	name := support.SanitizeName(filename)
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" {
		base = string(kind)
	}
	if len(base) > 150 {
		base = strings.ToValidUTF8(base[:150], "")
	}
	var fl File
	err = db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		var err error
		fl, err = scanFile(tx.QueryRow(ctx, `
			INSERT INTO forum_meeting_file (meeting_id, kind, sha256, size, media_type, filename, created_by, created_at)
			SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM forum_meeting WHERE id = $1 RETURNING `+fileColumns,
			id, kind, info.SHA256, info.Size, mediaType, base+ext, staffID, f.now()))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("add file: %w", err)
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventFileAdded, Subject: meetingSubject(id),
			Detail: map[string]any{"kind": string(kind), "sha256": fl.SHA256, "filename": fl.Filename}})
	})
	return fl, err
}

// Files lists a meeting's files, presentations first.
func (f *Forum) Files(ctx context.Context, v Viewer, meeting int64) ([]File, error) {
	if err := see(v); err != nil {
		return nil, err
	}
	rows, err := f.pool.Query(ctx, `SELECT `+fileColumns+` FROM forum_meeting_file WHERE meeting_id = $1
		ORDER BY kind DESC, id`, meeting)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) { return scanFile(r) })
}

// File returns file id if v may see the forum.
func (f *Forum) File(ctx context.Context, v Viewer, id int64) (File, error) {
	if err := see(v); err != nil {
		return File{}, err
	}
	fl, err := scanFile(f.pool.QueryRow(ctx, `SELECT `+fileColumns+` FROM forum_meeting_file WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return fl, ErrNotFound
	}
	return fl, err
}
