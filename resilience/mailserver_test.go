package resilience_test

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server in the test process that counts each Message-ID it
// accepts, and that the test can take down and bring back on the same port, as a mail
// server's restart or an outage looks to the portal.
type mailServer struct {
	t    *testing.T
	Port int

	mu       sync.Mutex
	received map[string]int // Message-ID → times accepted
	srv      *smtp.Server
	down     net.Listener // holds the port while the server is down
}

// startMailServer starts the server on a free loopback port; it is closed when the test ends.
func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	m := &mailServer{t: t, received: map[string]int{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Port = l.Addr().(*net.TCPAddr).Port
	m.serve(l)
	t.Cleanup(func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.srv != nil {
			m.srv.Close()
		}
		if m.down != nil {
			m.down.Close()
		}
	})
	return m
}

func (m *mailServer) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &mailSession{server: m}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	m.mu.Lock()
	m.srv = srv
	m.mu.Unlock()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			m.t.Errorf("SMTP server: %v", err)
		}
	}()
}

// Stop takes the server down. Until Restart the port stays held by a listener that closes every
// connection at once, so no other program is given the port and the portal's attempts fail as
// they do against a mail server that is down.
func (m *mailServer) Stop() {
	m.t.Helper()
	m.mu.Lock()
	srv := m.srv
	m.srv = nil
	m.mu.Unlock()
	if err := srv.Close(); err != nil {
		m.t.Fatal(err)
	}
	l := m.listen()
	m.mu.Lock()
	m.down = l
	m.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// Restart brings the server back on the same port.
func (m *mailServer) Restart() {
	m.t.Helper()
	m.mu.Lock()
	down := m.down
	m.down = nil
	m.mu.Unlock()
	down.Close()
	m.serve(m.listen())
}

// listen binds the server's port; Go sets SO_REUSEADDR, so a port closed a moment ago binds.
func (m *mailServer) listen() net.Listener {
	m.t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(m.Port)))
	if err != nil {
		m.t.Fatalf("listen on the mail server's port: %v", err)
	}
	return l
}

// Received is how often each Message-ID arrived.
func (m *mailServer) Received() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.received))
	for id, n := range m.received {
		out[id] = n
	}
	return out
}

type mailSession struct{ server *mailServer }

func (s *mailSession) Reset()                               { /* one message per session is all the portal sends */ }
func (s *mailSession) Logout() error                        { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *mailSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, msg.Body); err != nil {
		return err
	}
	s.server.mu.Lock()
	s.server.received[msg.Header.Get("Message-Id")]++
	s.server.mu.Unlock()
	return nil
}
