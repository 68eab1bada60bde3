package inbound

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"

	"mitidportal/blob"
	pmail "mitidportal/mail"
	"mitidportal/support"
)

// errStore is a failure of the blob store while a mail is read: the mail is fine, and its
// sender's server should try again later.
var errStore = errors.New("inbound: store attachment")

// Refusal is a file of a mail that was not kept, and why (for the note on the timeline).
type Refusal struct {
	Name, Reason string
}

// parts walks a mail's MIME tree: the first text/plain part without a file name is the text,
// every part with a file name or of another type than text is a file. Files stream into the
// blob store one by one under the limits of support (never held in memory); what breaks a
// limit becomes a Refusal.
type parts struct {
	ctx      context.Context
	blobs    blob.Store // nil: every file is refused
	text     string
	found    bool
	kept     []support.NewAttachment
	refused  []Refusal
	total    int64
	maxDepth int
}

func (p *parts) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mediaType, params = "application/octet-stream", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= p.maxDepth || params["boundary"] == "" {
			return nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				// A broken part (a header with a NUL...) ends the walk, not the mail: what was
				// read so far is kept, and staff are told the rest was not.
				p.refused = append(p.refused, Refusal{"(rest of the mail)", "unreadable MIME part"})
				return nil
			}
			if err := p.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	}
	name := fileName(h, params)
	decoded := pmail.TransferDecode(h.Get("Content-Transfer-Encoding"), body)
	disposition, _, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	switch {
	case mediaType == "text/plain" && name == "" && disposition != "attachment":
		if p.found {
			return nil // a second text part: the alternative of an alternative
		}
		r, err := pmail.CharsetReader(params["charset"], decoded)
		if err != nil {
			r = decoded // read as it is; the caller repairs what is not UTF-8
		}
		b, err := io.ReadAll(io.LimitReader(r, MaxMailBytes))
		if err != nil {
			return err
		}
		p.text, p.found = string(b), true
		return nil
	case mediaType == "text/html" && name == "" && disposition != "attachment":
		return nil // the HTML alternative of the text
	}
	return p.keep(name, decoded)
}

// fileName is the name a part gives its file (Content-Disposition's filename, RFC 2231 and
// 2047 decoded, or Content-Type's name), sanitised; "" when it gives none.
func fileName(h textproto.MIMEHeader, ctParams map[string]string) string {
	name := ""
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		name = dp["filename"]
	}
	if name == "" {
		name = ctParams["name"]
	}
	if name == "" {
		return ""
	}
	return support.SanitizeName(pmail.DecodeHeader(name))
}

// keep stores one file, or records why not.
func (p *parts) keep(name string, r io.Reader) error {
	if name == "" {
		name = "file"
	}
	if p.blobs == nil {
		p.refused = append(p.refused, Refusal{name, "not stored"})
		return nil
	}
	if len(p.kept) >= support.MaxAttachments {
		p.refused = append(p.refused, Refusal{name, fmt.Sprintf("more than %d files", support.MaxAttachments)})
		return nil
	}
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		p.refused = append(p.refused, Refusal{name, "unreadable"})
		return nil
	}
	if len(head) == 0 {
		p.refused = append(p.refused, Refusal{name, "empty"})
		return nil
	}
	typ, ok := support.SniffType(head)
	if !ok {
		p.refused = append(p.refused, Refusal{name, "type " + typ})
		return nil
	}
	limit, reason := int64(support.MaxAttachmentBytes), "over 10 MB"
	if left := support.MaxAttachmentsBytes - p.total; left < limit {
		limit, reason = left, "over 25 MB in all"
	}
	if limit <= 0 {
		p.refused = append(p.refused, Refusal{name, reason})
		return nil
	}
	info, err := p.blobs.Put(p.ctx, br, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		p.refused = append(p.refused, Refusal{name, reason})
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	p.total += info.Size
	p.kept = append(p.kept, support.NewAttachment{Name: name, ContentType: typ, Size: info.Size, SHA256: info.SHA256})
	return nil
}
