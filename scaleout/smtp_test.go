package scaleout

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// smtpServer is a real SMTP server in the test process that counts the messages it accepts by
// Message-ID. delay holds the answer to DATA after the message is stored, like a slow server:
// a sender cut off in that moment has delivered a mail it will send again.
type smtpServer struct {
	port  int
	delay atomic.Int64 // nanoseconds

	mu   sync.Mutex
	byID map[string]int
	n    int
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{byID: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return s
}

// received returns how often each Message-ID arrived and the number of messages.
func (s *smtpServer) received() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := make(map[string]int, len(s.byID))
	for id, n := range s.byID {
		byID[id] = n
	}
	return byID, s.n
}

type smtpSession struct{ srv *smtpServer }

func (*smtpSession) Reset()                               {}
func (*smtpSession) Logout() error                        { return nil }
func (*smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.byID[m.Header.Get("Message-ID")]++
	s.srv.n++
	s.srv.mu.Unlock()
	time.Sleep(time.Duration(s.srv.delay.Load()))
	return nil
}
