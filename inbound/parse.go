package inbound

import (
	"bufio"
	"context"
	"io"
	"net/mail"
	"net/textproto"
	"strings"

	"mitidportal/blob"
	"mitidportal/input"
	pmail "mitidportal/mail"
)

// parseMail is readMail without a blob store: every file is refused.
func parseMail(r io.Reader) (Mail, error) { return readMail(context.Background(), r, nil) }

// readMail reads an RFC 5322 message into a Mail: the headers that find the case or say the
// mail was sent by a machine, the text the citizen wrote (the first text/plain part, decoded
// from its charset, quoted lines dropped) and the files, stored in blobs (parts.go). Nobody can
// be asked to send a mail again, so text that is still not UTF-8 or holds control characters is
// repaired (input.Clean), never refused: every field of the Mail is text PostgreSQL takes. A
// mail with neither text nor files is refused.
func readMail(ctx context.Context, r io.Reader, blobs blob.Store) (Mail, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return Mail{}, err
	}
	h := msg.Header
	subject := pmail.DecodeHeader(h.Get("Subject"))
	line := func(s string) string { return input.Clean(s, false) }
	m := Mail{From: line(pmail.DecodeHeader(h.Get("From"))), MessageID: line(h.Get("Message-Id")),
		InReplyTo: line(h.Get("In-Reply-To")), Subject: line(subject),
		AutoSubmitted: line(h.Get("Auto-Submitted")), Precedence: line(h.Get("Precedence")),
		Lang: line(h.Get("Content-Language"))}
	for _, ref := range strings.Fields(h.Get("References")) {
		if ref = line(ref); ref != "" {
			m.References = append(m.References, ref)
		}
	}
	p := &parts{ctx: ctx, blobs: blobs, maxDepth: 5}
	if err := p.walk(textproto.MIMEHeader(h), msg.Body, 0); err != nil {
		return Mail{}, err
	}
	if !p.found && len(p.kept) == 0 && len(p.refused) == 0 {
		return Mail{}, pmail.ErrNoText
	}
	m.Body = input.Clean(stripQuoted(p.text), true)
	m.Attachments, m.Refused = p.kept, p.refused
	for i := range m.Refused {
		m.Refused[i].Name = line(m.Refused[i].Name)
	}
	return m, nil
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
