package mail_test

import (
	"errors"
	"testing"
	"time"

	"mitidportal/mail"
	"mitidportal/mail/mailtest"
)

// TestListUnsubscribeHeaders: a mail with a one-click unsubscribe URL arrives with the two
// headers of RFC 8058; one without gets neither; a URL that could break the header is refused.
func TestListUnsubscribeHeaders(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	pool, outbox := newOutbox(t, smtp.Port)
	const url = "https://portal.test/pakker/afmeld/abc_DEF-123"
	enqueue(t, pool, outbox, mail.Message{To: "karen@example.dk", Subject: "Nyt i pakken",
		Text: "Hej", Kind: "pack.notice", ListUnsubscribe: url})
	enqueue(t, pool, outbox, mail.Message{To: "ole@example.dk", Subject: "Andet", Text: "Hej", Kind: "other"})
	msgs := smtp.WaitFor(2, 10*time.Second)
	for _, m := range msgs {
		switch m.To[0] {
		case "karen@example.dk":
			if h := m.Header.Get("List-Unsubscribe"); h != "<"+url+">" {
				t.Errorf("List-Unsubscribe = %q", h)
			}
			if h := m.Header.Get("List-Unsubscribe-Post"); h != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", h)
			}
		default:
			if m.Header.Get("List-Unsubscribe") != "" || m.Header.Get("List-Unsubscribe-Post") != "" {
				t.Errorf("a mail without an unsubscribe URL got the headers: %v", m.Header)
			}
		}
	}
	for _, bad := range []string{"mailto:x@y.dk", "https://a.dk/x>\r\nBcc: evil@x.dk", "https://a.dk/a b", "javascript:alert(1)"} {
		t.Run(bad, func(t *testing.T) {
			_, err := outbox.Send(t.Context(), pool, mail.Message{To: "k@example.dk", Subject: "S", Text: "T",
				Kind: "k", ListUnsubscribe: bad})
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Errorf("Send with ListUnsubscribe %q: %v", bad, err)
			}
		})
	}
}
