package demobox_test

import (
	"io"
	"log/slog"
	"net/smtp"
	"strconv"
	"strings"
	"testing"

	"mitidportal/mail/demobox"
)

// TestBoxKeepsWhatItReceives sends mails over SMTP as the outbox worker does and reads them
// back decoded, newest first.
func TestBoxKeepsWhatItReceives(t *testing.T) {
	box, err := demobox.Start(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	addr := "127.0.0.1:" + strconv.Itoa(box.Port())
	mails := []struct {
		to, raw, subject, text string
	}{
		{"a@example.dk", "Subject: Plain\r\n\r\nHej Anna\r\nKoden er ABCD-EFGH-JKMN.\r\n",
			"Plain", "Hej Anna\nKoden er ABCD-EFGH-JKMN."},
		{"b@example.dk", "Subject: =?UTF-8?q?Bekr=C3=A6ft?=\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/alternative; boundary=xx\r\n\r\n" +
			"--xx\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"F=C3=B8lg linket: https://portal.test/kontakt/bekraeft/Tok\r\n" +
			"--xx\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--xx--\r\n",
			"Bekræft", "Følg linket: https://portal.test/kontakt/bekraeft/Tok"},
		{"c@example.dk", "Subject: Third\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"SGVqIEJv\r\n", "Third", "Hej Bo"},
	}
	for _, m := range mails {
		if err := smtp.SendMail(addr, nil, "noreply@portal.test", []string{m.to}, []byte(m.raw)); err != nil {
			t.Fatalf("send to %s: %v", m.to, err)
		}
	}
	got := box.Recent(2)
	if len(got) != 2 {
		t.Fatalf("Recent(2) returned %d mails", len(got))
	}
	for i, want := range []int{2, 1} {
		t.Run(mails[want].subject, func(t *testing.T) {
			m := got[i]
			if strings.Join(m.To, ",") != mails[want].to || m.Subject != mails[want].subject || m.Text != mails[want].text {
				t.Errorf("mail %d = to %v, subject %q, text %q; want %s, %q, %q", i, m.To, m.Subject, m.Text,
					mails[want].to, mails[want].subject, mails[want].text)
			}
		})
	}
	var none *demobox.Box
	if n := len(none.Recent(10)); n != 0 {
		t.Errorf("a nil box has %d mails", n)
	}
}
