package inbound

import (
	"strings"
	"testing"
)

func TestParseMail(t *testing.T) {
	tests := []struct {
		name, raw, body string
	}{
		{"plain", "From: a@b.dk\r\nSubject: Hej\r\n\r\nTekst\r\n", "Tekst"},
		{"quoted reply", "From: a@b.dk\r\nSubject: Re\r\n\r\nSvar her\r\n\r\nDen 1. maj skrev X:\r\n> gammel\r\n> tekst\r\n", "Svar her"},
		{"quoted-printable", "From: a@b.dk\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A6=C3=B8=C3=A5\r\n", "æøå"},
		{"latin-1", "From: a@b.dk\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nBl\xe6b\xe6rgr\xf8d p\xe5 \xe6g\r\n", "Blæbærgrød på æg"},
		{"windows-1252 quoted-printable", "From: a@b.dk\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nPris: 5 =80\r\n", "Pris: 5 €"},
		{"8-bit without a charset", "From: a@b.dk\r\n\r\nS\xf8ren\r\n", "S\uFFFDren"},
		{"unknown charset", "From: a@b.dk\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nS\xf8ren\r\n", "S\uFFFDren"},
		{"control characters", "From: a@b.dk\r\n\r\nHej\x00 med\x1b dig\tså\r\nlinje 2\r\n", "Hej med dig\tså\nlinje 2"},
		{"multipart alternative", "From: a@b.dk\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nVGVrc3QgaSBiYXNlNjQ=\r\n--XX--\r\n", "Tekst i base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMail(strings.NewReader(tt.raw))
			if err != nil || m.Body != tt.body || m.From != "a@b.dk" {
				t.Errorf("got %+v, %v; want body %q", m, err, tt.body)
			}
		})
	}
	m, err := parseMail(strings.NewReader("From: a@b.dk\r\nSubject: =?iso-8859-1?q?S=F8ren_=E6bler?= \x00\r\n\r\nx"))
	if err != nil || m.Subject != "Søren æbler" {
		t.Errorf("subject in ISO-8859-1: %q, %v", m.Subject, err)
	}
	if _, err := parseMail(strings.NewReader("From: a@b.dk\r\nContent-Type: text/html\r\n\r\n<p>x</p>")); err == nil {
		t.Error("a mail without a text part was accepted")
	}
}
