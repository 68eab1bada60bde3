package mail

import (
	"context"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	// Port 0 uses go-mail's default for the TLS mode.
	Port int
	// Username and Password are used when Username is set. The mechanism is discovered from
	// the server; PLAIN and LOGIN are only used over an encrypted connection.
	Username, Password string
	// From is the sender address, e.g. "MitID <no-reply@mitid.dk>".
	From string
	// TLS is "none" (plain SMTP, for a local relay or tests), "starttls" (STARTTLS required) or
	// "tls" (implicit TLS, usually port 465).
	TLS string
	// Timeout bounds connecting and each SMTP exchange; 0 uses go-mail's default.
	Timeout time.Duration
}

// Sender delivers one stored mail at a time over SMTP. It is safe for concurrent use.
type Sender struct {
	cfg SMTPConfig
	// opts are the go-mail client options, built once; optErr is a configuration error
	// reported by every Send, because NewSender has no error result to return it in.
	opts   []gomail.Option
	optErr error
}

// NewSender returns a Sender for cfg. A bad TLS mode is reported by Send.
func NewSender(cfg SMTPConfig) *Sender {
	s := &Sender{cfg: cfg}
	if cfg.Port != 0 {
		s.opts = append(s.opts, gomail.WithPort(cfg.Port))
	}
	if cfg.Timeout > 0 {
		s.opts = append(s.opts, gomail.WithTimeout(cfg.Timeout))
	}
	switch cfg.TLS {
	case "none":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		s.opts = append(s.opts, gomail.WithSSL())
	default:
		s.optErr = fmt.Errorf("SMTP TLS mode %q: want none, starttls or tls", cfg.TLS)
	}
	if cfg.Username != "" {
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return s
}

// Send delivers m. It opens a new connection per mail: mails are few, and a fresh connection
// needs no health checks after the server went away. Its errors never contain the password or
// the body, so they may be logged and stored.
func (s *Sender) Send(ctx context.Context, m Stored) error {
	if s.optErr != nil {
		return s.optErr
	}
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return s.redact(fmt.Errorf("smtp client: %w", err))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return s.redact(fmt.Errorf("smtp: %w", err))
	}
	return nil
}

func (s *Sender) build(m Stored) (*gomail.Msg, error) {
	// The default User-Agent names the library and its version; recipients need neither.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("SMTP from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail %d recipient: %w", m.ID, ErrInvalidAddress)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	if m.InReplyTo != "" {
		// Enqueue checked the form, so no encoding is wanted. References should hold the whole
		// chain; the parent alone is enough for clients to thread.
		msg.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, m.InReplyTo)
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, m.InReplyTo)
	}
	// RFC 3834: tells auto-responders (out-of-office) not to answer.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.ListUnsubscribe != "" {
		// RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the URL; Enqueue checked
		// that the URL holds nothing that could end the header.
		msg.SetGenHeaderPreformatted(gomail.Header("List-Unsubscribe"), "<"+m.ListUnsubscribe+">")
		msg.SetGenHeaderPreformatted(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// redactedError hides the SMTP password in an error's text while keeping the chain for
// errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact guards against a library or server echoing the credentials in an error.
func (s *Sender) redact(err error) error {
	msg := err.Error()
	if s.cfg.Password != "" {
		msg = strings.ReplaceAll(msg, s.cfg.Password, "[redacted]")
	}
	return &redactedError{msg: msg, err: err}
}
