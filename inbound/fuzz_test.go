package inbound

import (
	"bytes"
	"testing"

	"mitidportal/input"
)

// FuzzParseMail feeds any bytes to parseMail, as the inbound SMTP listener does: it must never
// panic, and every field of a mail it accepts must be text PostgreSQL takes.
func FuzzParseMail(f *testing.F) {
	for _, s := range []string{
		"From: a@b.dk\r\nSubject: Hej\r\n\r\nTekst\r\n",
		"From: a@b.dk\r\nSubject: =?iso-8859-1?q?S=F8ren?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nS\xf8ren\r\n",
		"From: a@b.dk\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nVGVrc3Q=\r\n--XX--\r\n",
		"From: a@b.dk\r\nContent-Type: multipart/mixed; boundary=A\r\n\r\n--A\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-16\r\n\r\n\xff\xfeh\x00\r\n--B--\r\n--A--\r\n",
		"Message-Id: <a\x00@b>\r\nIn-Reply-To: <x@y>\r\nReferences: <1@a> <2@b>\r\n\r\nSvar\r\n> gammel\r\n",
		"From: a@b.dk\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=00=1B=FF=\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := parseMail(bytes.NewReader(raw))
		if err != nil {
			return
		}
		for _, s := range append([]string{m.From, m.MessageID, m.InReplyTo, m.Subject}, m.References...) {
			if !input.Valid(s, false) {
				t.Fatalf("header %q is not valid one-line text", s)
			}
		}
		if !input.Valid(m.Body, true) {
			t.Fatalf("body %q is not valid text", m.Body)
		}
	})
}
