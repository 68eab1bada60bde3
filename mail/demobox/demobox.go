// Package demobox is the demo portal's mail server: an SMTP server on loopback that accepts
// every mail and keeps the newest in memory. In demo mode without SMTP_HOST, mail takes the
// real path (outbox, job, SMTP) to this server, and /demo/post shows what it received. The
// outbox blanks a secret body once it is sent, as in production, so the demo's activation codes
// and confirmation links are read here, where a real mail client would have them.
package demobox

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	pmail "mitidportal/mail"

	"github.com/emersion/go-smtp"
)

// keep bounds the mails held in memory; a demo needs the last few, not a history.
const keep = 200

// maxBytes bounds one mail; the portal's mails are short text.
const maxBytes = 1 << 20

// Mail is one received mail, decoded.
type Mail struct {
	To       []string // the envelope recipients
	Subject  string   // decoded from RFC 2047 words
	Text     string   // the first text/plain part, decoded, with \n line ends
	Received time.Time
}

// Box is a running demo mail server. It is safe for concurrent use.
type Box struct {
	srv  *smtp.Server
	ln   net.Listener
	done chan error
	log  *slog.Logger

	mu    sync.Mutex
	mails []Mail // oldest first
}

// Start listens on a free loopback port and serves until Close.
func Start(log *slog.Logger) (*Box, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo mailbox: %w", err)
	}
	b := &Box{ln: ln, done: make(chan error, 1), log: log}
	b.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{box: b}, nil
	}))
	b.srv.Domain = "localhost"
	b.srv.AllowInsecureAuth = true
	b.srv.MaxMessageBytes = maxBytes
	b.srv.ReadTimeout = time.Minute
	b.srv.WriteTimeout = time.Minute
	go func() { b.done <- b.srv.Serve(ln) }()
	log.Info("demo mailbox listening", "addr", ln.Addr().String())
	return b, nil
}

// Port is the port the server listens on, on 127.0.0.1.
func (b *Box) Port() int { return b.ln.Addr().(*net.TCPAddr).Port }

// Recent returns up to limit received mails, newest first. A nil Box has none.
func (b *Box) Recent(limit int) []Mail {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Mail, 0, min(limit, len(b.mails)))
	for i := len(b.mails) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, b.mails[i])
	}
	return out
}

// Close stops the server.
func (b *Box) Close() error {
	err := b.srv.Close()
	if serr := <-b.done; serr != nil && !errors.Is(serr, smtp.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

func (b *Box) add(m Mail) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails = append(b.mails, m)
	if len(b.mails) > keep {
		b.mails = append([]Mail(nil), b.mails[len(b.mails)-keep:]...)
	}
}

type session struct {
	box *Box
	to  []string
}

func (s *session) AuthPlain(string, string) error       { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Reset()                               { s.to = nil }
func (s *session) Logout() error                        { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	m, err := parse(r)
	if err != nil {
		// Accept it anyway: the portal's worker would retry a refusal for weeks.
		s.box.log.Warn("demo mailbox: unreadable mail", "error", err.Error())
		m = Mail{Subject: "?"}
	}
	m.To, m.Received = s.to, time.Now()
	s.box.add(m)
	return nil
}

// parse reads the subject and the first text/plain part, as a mail client would show them.
func parse(r io.Reader) (Mail, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return Mail{}, err
	}
	subject := pmail.DecodeHeader(msg.Header.Get("Subject"))
	text, err := pmail.PlainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return Mail{Subject: subject}, err
	}
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return Mail{Subject: subject, Text: text}, nil
}
