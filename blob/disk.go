package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Disk keeps content in a folder: each content in a file named by its hash under two levels of
// folders (ab/cd/abcd…), written to a temporary file, synced and renamed into place, so that a
// crash leaves either the whole content or nothing under its name.
type Disk struct{ dir string }

// NewDisk returns a store in dir, creating it when missing.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Disk{dir: dir}, nil
}

func (d *Disk) path(sha string) string {
	return filepath.Join(d.dir, sha[0:2], sha[2:4], sha)
}

// Put implements Store.
func (d *Disk) Put(ctx context.Context, r io.Reader, max int64) (Info, error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(d.dir, "tmp", hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp) // after a successful rename this finds nothing
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), &ctxReader{ctx: ctx, r: newLimited(r, max)})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return Info{}, err
		}
		return Info{}, fmt.Errorf("blob: write: %w", err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	final := d.path(sha)
	if st, err := os.Stat(final); err == nil {
		return Info{SHA256: sha, Size: st.Size(), Stored: st.ModTime()}, nil // stored before
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return Info{}, err
	}
	st, err := os.Stat(final)
	if err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	return Info{SHA256: sha, Size: n, Stored: st.ModTime()}, nil
}

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	return nil
}

// Open implements Store.
func (d *Disk) Open(_ context.Context, sha string) (Object, error) {
	if !ValidHash(sha) {
		return nil, ErrNotFound
	}
	f, err := os.Open(d.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &diskObject{File: f, info: Info{SHA256: sha, Size: st.Size(), Stored: st.ModTime()}}, nil
}

// Stat implements Store.
func (d *Disk) Stat(_ context.Context, sha string) (Info, error) {
	if !ValidHash(sha) {
		return Info{}, ErrNotFound
	}
	st, err := os.Stat(d.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	return Info{SHA256: sha, Size: st.Size(), Stored: st.ModTime()}, nil
}

type diskObject struct {
	*os.File
	info Info
}

func (o *diskObject) Info() Info { return o.info }

// ctxReader stops a long copy when the request that started it is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
