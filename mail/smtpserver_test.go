package mail_test

import (
	"errors"
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

// received is one message as the test SMTP server got it, with the parts a test checks
// decoded from MIME.
type received struct {
	From   string
	To     []string
	Header mail.Header
	// Subject is decoded from its RFC 2047 encoded words.
	Subject string
	// Text and HTML are the decoded text/plain and text/html parts; HTML is "" without one.
	Text, HTML string
}

// smtpServer is a real SMTP server in the test process that records every message it accepts.
type smtpServer struct {
	t    *testing.T
	srv  *smtp.Server
	Addr string
	Port int

	mu   sync.Mutex
	msgs []received
}

// startSMTP starts a server on 127.0.0.1 at port (0 picks a free one) and stops it when the
// test ends.
func startSMTP(t *testing.T, port int) *smtpServer {
	t.Helper()
	s := &smtpServer{t: t}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s.Addr = l.Addr().String()
	s.Port = l.Addr().(*net.TCPAddr).Port
	go func() {
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("SMTP server: %v", err)
		}
	}()
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// freePort returns a port on 127.0.0.1 on which nothing listens (for now).
func freePort(t *testing.T) int {
	port, _ := refusingPort(t)
	return port
}

// refusingPort is a port where every connection is closed at once: a mail server that is
// down. The port stays held until stop (or the end of the test), so a parallel test's SMTP
// server cannot be given it meanwhile, as it could a port merely found free and let go.
func refusingPort(t *testing.T) (port int, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { l.Close() }) }
	t.Cleanup(stop)
	return l.Addr().(*net.TCPAddr).Port, stop
}

// Messages returns a copy of the messages received so far.
func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// waitFor polls until n messages have arrived, failing the test after 10 s.
func (s *smtpServer) waitFor(n int) []received {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := s.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("SMTP server got %d messages within 10 s, want %d", len(msgs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type session struct {
	server *smtpServer
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
	msg, err := parse(raw)
	if err != nil {
		s.server.t.Errorf("SMTP server got an unparsable message: %v\n%s", err, raw)
		return err
	}
	msg.From, msg.To = s.from, s.to
	s.server.mu.Lock()
	s.server.msgs = append(s.server.msgs, msg)
	s.server.mu.Unlock()
	return nil
}

// parse reads the headers and the text and HTML parts, as a mail client would.
func parse(raw []byte) (received, error) {
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return received{}, err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return received{}, err
	}
	out := received{Header: m.Header, Subject: subject}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return received{}, err
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		out.Text, err = decodeBody(m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return out, err
	}
	// multipart.Reader decodes quoted-printable parts itself.
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return received{}, err
		}
		body, err := decodeBody(p.Header.Get("Content-Transfer-Encoding"), p)
		if err != nil {
			return received{}, err
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			out.Text = body
		case "text/html":
			out.HTML = body
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
