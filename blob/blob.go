// Package blob is the portal's content-addressed file store: campaign items, their thumbnails
// and other uploaded files are kept by the SHA-256 of their content, so the same content is
// stored once and a name can never point to other bytes than it did. Two stores implement it:
// Disk (the default: a folder on local disk) and S3 (any S3-compatible object store, for several
// instances sharing their files). Both pass the same contract test.
//
// Put streams: the content is hashed while it is written and never held in memory, and a
// content larger than the limit is refused without being kept.
package blob

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"mitidportal/fault"
)

// Errors of the stores.
var (
	// ErrNotFound: no content with that hash.
	ErrNotFound = fault.New("blob", fault.NotFound, "blob.err.not_found")
	// ErrTooLarge: the content is larger than the limit Put was given.
	ErrTooLarge = fault.New("blob", fault.Invalid, "blob.err.too_large")
)

// MessageIDs lists the message IDs of this package's errors, for the locale test.
func MessageIDs() []string { return []string{ErrNotFound.MsgID, ErrTooLarge.MsgID} }

// Info describes stored content.
type Info struct {
	// SHA256 is the content's hash in lower-case hex: its name in the store.
	SHA256 string
	Size   int64
	// Stored is when the content was first stored.
	Stored time.Time
}

// Object is stored content opened for reading. It seeks, so that it can answer Range
// requests (http.ServeContent) without reading what it skips.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Store keeps content by its SHA-256.
type Store interface {
	// Put stores what r yields, at most max bytes (max > 0), and returns its Info. Content that
	// is already stored is not stored twice. A content over max is refused with ErrTooLarge and
	// leaves nothing behind.
	Put(ctx context.Context, r io.Reader, max int64) (Info, error)
	// Open opens the content named by sha (lower-case hex SHA-256); ErrNotFound when absent.
	Open(ctx context.Context, sha string) (Object, error)
	// Stat returns the Info of the content named by sha; ErrNotFound when absent.
	Stat(ctx context.Context, sha string) (Info, error)
}

// ValidHash reports whether sha is a lower-case hex SHA-256, the only names a store knows;
// anything else (a path, upper case) is refused before it reaches a file system or a bucket.
func ValidHash(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for i := 0; i < len(sha); i++ {
		c := sha[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	_, err := hex.DecodeString(sha)
	return err == nil
}

// limited reads at most max bytes from r and fails with ErrTooLarge when r has more.
type limited struct {
	r   io.Reader
	n   int64 // bytes still allowed
	err error
}

func newLimited(r io.Reader, max int64) *limited { return &limited{r: r, n: max} }

func (l *limited) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.n <= 0 {
		// One byte more than allowed tells a content of exactly max bytes from a larger one.
		var one [1]byte
		n, err := io.ReadFull(l.r, one[:])
		if n > 0 {
			l.err = ErrTooLarge
			return 0, l.err
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
