package inbound

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// errNoText is a mail without a text/plain part.
var errNoText = errors.New("inbound: no text part")

// parseMail reads an RFC 5322 message into a Mail: the headers that find the case, and the
// text the citizen wrote (the first text/plain part, decoded, quoted lines dropped).
func parseMail(r io.Reader) (Mail, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return Mail{}, err
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subject = h.Get("Subject")
	}
	m := Mail{From: h.Get("From"), MessageID: strings.TrimSpace(h.Get("Message-Id")),
		InReplyTo: strings.TrimSpace(h.Get("In-Reply-To")), References: strings.Fields(h.Get("References")),
		Subject: subject}
	text, err := textPart(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		return Mail{}, err
	}
	m.Body = stripQuoted(text)
	return m, nil
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
		b, err := io.ReadAll(decode(encoding, body))
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
