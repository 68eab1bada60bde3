package inbound

import (
	"bufio"
	"io"
	"net/mail"
	"strings"

	"mitidportal/input"
	pmail "mitidportal/mail"
)

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
	subject := pmail.DecodeHeader(h.Get("Subject"))
	line := func(s string) string { return input.Clean(s, false) }
	m := Mail{From: line(h.Get("From")), MessageID: line(h.Get("Message-Id")),
		InReplyTo: line(h.Get("In-Reply-To")), Subject: line(subject)}
	for _, ref := range strings.Fields(h.Get("References")) {
		if ref = line(ref); ref != "" {
			m.References = append(m.References, ref)
		}
	}
	text, err := pmail.PlainText(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return Mail{}, err
	}
	m.Body = input.Clean(stripQuoted(text), true)
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
