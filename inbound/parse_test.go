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
	if _, err := parseMail(strings.NewReader("From: a@b.dk\r\nContent-Type: text/html\r\n\r\n<p>x</p>")); err == nil {
		t.Error("a mail without a text part was accepted")
	}
}
