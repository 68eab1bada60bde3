package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"mitidportal/support"
)

// MaxMailBytes bounds an incoming mail: 25 MB of files (support.MaxAttachmentsBytes) in base64
// and the text.
const MaxMailBytes = 36 << 20

// Server is the SMTP listener for citizens' mail: every mail it is handed goes to
// Receiver.Receive, which puts it on its case or opens one. A mail that cannot be read or cannot
// be a case (no usable sender) is refused permanently so the sender's server tells them.
type Server struct {
	recv *Receiver
	log  *slog.Logger
	srv  *smtp.Server
	ln   net.Listener
	done chan error
}

// NewServer returns a server that announces itself as domain.
func NewServer(recv *Receiver, domain string, log *slog.Logger) *Server {
	s := &Server{recv: recv, log: log}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = domain
	s.srv.MaxMessageBytes = MaxMailBytes
	s.srv.MaxRecipients = 10
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	return s
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the background until
// Close.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("inbound SMTP listen: %w", err)
	}
	s.ln = ln
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(ln) }()
	s.log.Info("inbound SMTP", "addr", ln.Addr().String())
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Close()
	if s.done != nil {
		if serr := <-s.done; serr != nil && !errors.Is(serr, smtp.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	return err
}

type session struct {
	server *Server
	// bounce is set by MAIL FROM:<>, the envelope sender of delivery reports.
	bounce bool
}

func (s *session) Reset()                             { s.bounce = false }
func (*session) Logout() error                        { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.bounce = from == ""
	return nil
}

// Data reads the mail and hands it to the receiver.
func (s *session) Data(r io.Reader) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := s.server.recv.Read(ctx, r)
	if err != nil {
		if errors.Is(err, errStore) || ctx.Err() != nil { // the sender's server tries again
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message could not be read"}
	}
	m.Bounce = s.bounce
	c, err := s.server.recv.Receive(ctx, m)
	var rule *support.Error
	switch {
	case errors.As(err, &rule):
		s.server.log.Info("inbound mail refused", "case", c.Ref, "rule", rule.MsgID)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message not accepted for this case"}
	case err != nil:
		s.server.log.Error("inbound mail", "error", err.Error())
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.server.log.Info("inbound mail on case", "case", c.Ref)
	return nil
}
