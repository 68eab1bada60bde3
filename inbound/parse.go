package inbound

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"

	"golang.org/x/text/encoding/htmlindex"

	"mitidportal/input"
)

// errNoText is a mail without a text/plain part.
var errNoText = errors.New("inbound: no text part")

// parseMail reads an RFC 5322 message into a Mail: the headers that find the case, and the
// text the citizen wrote (the first text/plain part, decoded from its charset, quoted lines
// dropped). Nobody can be asked to send a mail again, so text that is still not UTF-8 or holds
// control characters is repaired (input.Clean), never refused: every field of the Mail is text
// PostgreSQL takes.
func parseMail(r io.Reader) (Mail, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return Mail{}, err
	}
	h := msg.Header
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subject = h.Get("Subject")
	}
	line := func(s string) string { return input.Clean(s, false) }
	m := Mail{From: line(h.Get("From")), MessageID: line(h.Get("Message-Id")),
		InReplyTo: line(h.Get("In-Reply-To")), Subject: line(subject)}
	for _, ref := range strings.Fields(h.Get("References")) {
		if ref = line(ref); ref != "" {
			m.References = append(m.References, ref)
		}
	}
	text, err := textPart(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		return Mail{}, err
	}
	m.Body = input.Clean(stripQuoted(text), true)
	return m, nil
}

// charsetReader decodes text in a named charset to UTF-8; mail clients still send ISO-8859-1
// and windows-1252. The names are read as browsers read them (WHATWG), so "iso-8859-1" is
// windows-1252, its superset.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("inbound: charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(r), nil
}

// textPart returns the first text/plain part of a body of type contentType, decoded.
func textPart(contentType, encoding string, body io.Reader, depth int) (string, error) {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	switch {
	case mediaType == "text/plain":
		r := decode(encoding, body)
		if cr, err := charsetReader(params["charset"], r); err == nil {
			r = cr // an unknown charset is read as it is; parseMail repairs what is not UTF-8
		}
		b, err := io.ReadAll(r)
		return string(b), err
	case strings.HasPrefix(mediaType, "multipart/") && depth < 5:
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return "", errNoText
			}
			if err != nil {
				return "", err
			}
			text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err == nil {
				return text, nil
			}
		}
	}
	return "", errNoText
}

func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}

// stripQuoted drops the quoted mail a reply carries: lines starting with ">" and the
// "On ... wrote:" line before them, and trims the rest.
func stripQuoted(text string) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(text, "\r\n", "\n")))
	sc.Buffer(make([]byte, 64<<10), MaxMailBytes)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, ">") {
			if n := len(lines); n > 0 && strings.HasSuffix(strings.TrimSpace(lines[n-1]), ":") {
				lines = lines[:n-1]
			}
			continue
		}
		lines = append(lines, line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
