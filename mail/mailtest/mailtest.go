// Package mailtest is a real SMTP server for tests (emersion/go-smtp in the test process): it
// records every message it accepts, decoded as a mail client would read it, and can be taken
// down and brought back on the same port, as an outage looks to the portal. The mail package's
// own tests, the browser stories, the three-instance test and the fault tests share it.
package mailtest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message as the server accepted it.
type Message struct {
	// From and To are the envelope's sender and recipients.
	From   string
	To     []string
	Header mail.Header
	// Subject is decoded from its RFC 2047 encoded words.
	Subject string
	// Text and HTML are the decoded text/plain and text/html parts (Text is the body of a
	// message that is not multipart); HTML is "" without one. Line ends are "\n".
	Text, HTML string
}

// MessageID is the message's Message-ID header.
func (m Message) MessageID() string { return m.Header.Get("Message-Id") }

// SentTo reports whether addr is among the envelope's recipients (case-insensitively).
func (m Message) SentTo(addr string) bool {
	for _, r := range m.To {
		if strings.EqualFold(r, addr) {
			return true
		}
	}
	return false
}

// Mentions reports whether s is in the subject or a part of the body.
func (m Message) Mentions(s string) bool {
	return strings.Contains(m.Subject, s) || strings.Contains(m.Text, s) || strings.Contains(m.HTML, s)
}

// Server is the SMTP server. Its methods are safe for concurrent use.
type Server struct {
	t testing.TB
	// Port is the loopback port the server listens on, also while it is down.
	Port int
	// Addr is "127.0.0.1:Port".
	Addr string

	mu    sync.Mutex
	srv   *smtp.Server
	down  net.Listener // holds the port while the server is down
	msgs  []Message
	delay time.Duration
	// arrived is closed, and replaced, when a message arrives: Wait wakes on it.
	arrived chan struct{}
}

// Start starts a server on a free loopback port; it stops when the test ends.
func Start(t testing.TB) *Server { return StartOn(t, 0) }

// StartOn starts a server on the loopback port given (0: a free one).
func StartOn(t testing.TB, port int) *Server {
	t.Helper()
	s := &Server{t: t, arrived: make(chan struct{})}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	s.Addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.srv != nil {
			s.srv.Close()
		}
		if s.down != nil {
			s.down.Close()
		}
	})
	return s
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			s.t.Errorf("SMTP server: %v", err)
		}
	}()
}

// Stop takes the server down. Until Restart the port stays held by a listener that closes
// every connection at once, so no other program is given the port and a sender's attempts
// fail as they do against a mail server that is down.
func (s *Server) Stop() {
	s.t.Helper()
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if err := srv.Close(); err != nil {
		s.t.Fatal(err)
	}
	l := s.listen()
	s.mu.Lock()
	s.down = l
	s.mu.Unlock()
	go refuse(l)
}

// Restart brings the server back on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	down := s.down
	s.down = nil
	s.mu.Unlock()
	down.Close()
	s.serve(s.listen())
}

// listen binds the server's port; Go sets SO_REUSEADDR, so a port closed a moment ago binds.
func (s *Server) listen() net.Listener {
	s.t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)))
	if err != nil {
		s.t.Fatalf("listen on the mail server's port: %v", err)
	}
	return l
}

// SetDelay holds the answer to DATA for d after the message is recorded, like a slow server:
// a sender cut off in that moment has delivered a mail it may send again.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// ByMessageID is how often each Message-ID was accepted.
func (s *Server) ByMessageID() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := make(map[string]int, len(s.msgs))
	for _, m := range s.msgs {
		n[m.MessageID()]++
	}
	return n
}

// Wait waits until a message matches, for at most timeout.
func (s *Server) Wait(match func(Message) bool, timeout time.Duration) (Message, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if match(m) {
				s.mu.Unlock()
				return m, true
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			return Message{}, false
		}
	}
}

// WaitFor waits until n messages have arrived and returns them, failing the test after
// timeout.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := len(s.msgs), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-arrived:
		case <-deadline.C:
			s.t.Fatalf("SMTP server got %d messages within %v, want %d", got, timeout, n)
		}
	}
}

// Summary lists the messages accepted so far, for a test's failure message.
func (s *Server) Summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(s.msgs)) + " messages")
	for _, m := range s.msgs {
		fmt.Fprintf(&b, "; %s: %s", strings.Join(m.To, ","), m.Subject)
	}
	return b.String()
}

// RefusingPort is a loopback port where every connection is closed at once: a mail server
// that is down. The port stays held until stop (or the end of the test), so a parallel test's
// server cannot be given it meanwhile, as it could a port merely found free and let go.
func RefusingPort(t testing.TB) (port int, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go refuse(l)
	var once sync.Once
	stop = func() { once.Do(func() { l.Close() }) }
	t.Cleanup(stop)
	return l.Addr().(*net.TCPAddr).Port, stop
}

func refuse(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

type session struct {
	server *Server
	from   string
	to     []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := Parse(raw)
	if err != nil {
		s.server.t.Errorf("SMTP server got an unparsable message: %v\n%s", err, raw)
		return err
	}
	msg.From, msg.To = s.from, append([]string(nil), s.to...)
	s.server.mu.Lock()
	s.server.msgs = append(s.server.msgs, msg)
	close(s.server.arrived)
	s.server.arrived = make(chan struct{})
	delay := s.server.delay
	s.server.mu.Unlock()
	time.Sleep(delay)
	return nil
}

// Parse reads a message's headers and its text and HTML parts, as a mail client would.
func Parse(raw []byte) (Message, error) {
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return Message{}, err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	out := Message{Header: m.Header, Subject: subject}
	err = readPart(&out, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return out, err
}

// readPart puts a text/plain or text/html body into out, and reads the parts of a multipart
// one, however nested (a newsletter's alternative parts sit inside a mixed one).
func readPart(out *Message, contentType, encoding string, body io.Reader) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		text, err := decodeBody(encoding, body)
		switch {
		case err != nil:
			return err
		case mediaType == "text/html":
			out.HTML = text
		case mediaType == "text/plain":
			out.Text = text
		}
		return nil
	}
	// multipart.Reader decodes quoted-printable parts itself.
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := readPart(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
			return err
		}
	}
}

func decodeBody(encoding string, r io.Reader) (string, error) {
	if strings.EqualFold(encoding, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	// Compare bodies as written: SMTP's CRLF line ends and go-mail's final line end are
	// transport, not content.
	return strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), err
}
