package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// What an agent writes on a case from its page (a reply, a note, a call log) names the case
// version its form was made on, as the changes of case_change.go do, and moves the version
// on: a form sent twice (a double click, the back button and "send again") finds the version
// moved by its first sending. Then the domain tells the two apart, under the case's row lock:
// when the newest thing written on the case is this very entry, by the same member of staff
// moments ago, it is ErrRepeated (the first sending did it: nothing more is sent); otherwise
// someone else changed the case, and it is ErrWrittenStale (nothing is sent, the text is kept).

// RepeatWindow is how long after an entry the same entry sent again on the old version counts
// as its repetition rather than as something written on a case that changed.
const RepeatWindow = 5 * time.Minute

// Refusals of what is written on a stale version.
var (
	// ErrRepeated: the entry is already on the case; the form was sent again.
	ErrRepeated = ErrConflict.Variant("support.err.repeated")
	// ErrWrittenStale is ErrConflict for a reply, note or call: nothing was sent or saved.
	ErrWrittenStale = ErrConflict.Variant("support.err.written_stale")
)

// writtenKinds are the entries a person writes; the newest of them on a case is what a
// repeated form is compared with.
const writtenKinds = `('message', 'reply', 'internal_note', 'call_log')`

// checkWritten lets e, written by a member of staff on locked case c from a form made on
// expectVersion, go ahead (nil) when the case is still at that version, and moves the version
// on; on an older version it is ErrRepeated or ErrWrittenStale.
func (s *Cases) checkWritten(ctx context.Context, tx pgx.Tx, c Case, expectVersion int, e Entry) error {
	if c.Version == expectVersion {
		if _, err := tx.Exec(ctx, `UPDATE support_case SET version = version + 1 WHERE id = $1`, c.ID); err != nil {
			return fmt.Errorf("case version: %w", err)
		}
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM support_entry
		WHERE case_id = $1 AND kind IN `+writtenKinds+` ORDER BY at DESC, id DESC LIMIT 1`, c.ID)
	if err != nil {
		return fmt.Errorf("newest entry: %w", err)
	}
	newest, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("newest entry: %w", err)
	}
	if err == nil && sameWriting(newest, e) && s.now().Sub(newest.At) < RepeatWindow {
		return ErrRepeated
	}
	return ErrWrittenStale
}

// sameWriting reports whether a and b are the same thing written by the same person: kind,
// text and, for a call, its outcome (its times may be "minutes up to now", which move).
func sameWriting(a, b Entry) bool {
	return a.StaffID != 0 && a.StaffID == b.StaffID && a.Kind == b.Kind && a.Body == b.Body && a.Outcome == b.Outcome
}

// WriteNote records a member of staff's internal note from the case page, made on case
// version expectVersion (ErrRepeated, ErrWrittenStale). Notes are the one thing a closed case
// still takes. AddNote records the system's notes, which name no version.
func (s *Cases) WriteNote(ctx context.Context, caseID, staffID int64, body string, expectVersion int) (Entry, error) {
	body, err := checkBody(body)
	if err != nil {
		return Entry{}, err
	}
	return s.appendEntry(ctx, caseID, true, &expectVersion, Entry{Kind: EntryNote, StaffID: staffID, Body: body})
}
