package testenv

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPFrom is the sender address in SMTPSink.URL.
const SMTPFrom = "Portico <no-reply@portico.test>"

// SMTPSink is a real SMTP server on 127.0.0.1 that keeps what it receives. It speaks
// plain SMTP (no TLS), accepts AUTH PLAIN with any credentials, and can be stopped
// and started again on the same port, or told to reject messages, to play an
// unreliable mail server.
type SMTPSink struct {
	addr string

	mu       sync.Mutex
	srv      *smtp.Server
	lis      net.Listener  // srv's listener
	done     chan struct{} // closed when srv's Serve returns
	msgs     []ReceivedMail
	rejected []ReceivedMail // messages refused at FailNext's request
	changed  chan struct{}  // closed and replaced whenever msgs grows
	failN    int
	failCode int
	failMsg  string
}

// ReceivedMail is one message the sink accepted, its MIME taken apart.
type ReceivedMail struct {
	From      string   // envelope sender (MAIL FROM)
	To        []string // envelope recipients (RCPT TO)
	User      string   // the AUTH user name, "" without AUTH
	MessageID string   // the Message-ID header, angle brackets included
	Subject   string   // decoded (RFC 2047)
	Text      string   // the text/plain part, decoded
	HTML      string   // the text/html part, decoded
	Raw       []byte   // the message as received
}

// StartSMTP starts a sink on a free port of 127.0.0.1; it stops when t ends.
func StartSMTP(t testing.TB) *SMTPSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: SMTP listen: %v", err)
	}
	s := &SMTPSink{addr: l.Addr().String(), changed: make(chan struct{})}
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Addr returns the sink's host:port.
func (s *SMTPSink) Addr() string { return s.addr }

// URL returns an SMTP URL for the sink, as mail.NewSMTPSender takes it: plain SMTP,
// from SMTPFrom.
func (s *SMTPSink) URL() string {
	q := url.Values{"tls": {"none"}, "from": {SMTPFrom}}
	return "smtp://" + s.addr + "?" + q.Encode()
}

// Stop closes the listener and every open connection, so that dialling the sink
// is refused. Stopping a stopped sink does nothing.
func (s *SMTPSink) Stop() {
	s.mu.Lock()
	srv, done, lis := s.srv, s.done, s.lis
	s.srv, s.done, s.lis = nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Close()
	// Close only closes the listeners Serve has registered; one stopped right
	// after it started may not be registered yet, and Serve would then accept
	// on it forever.
	lis.Close()
	<-done
}

// Start listens again on the same port after Stop. Starting a running sink does
// nothing.
func (s *SMTPSink) Start() {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	var l net.Listener
	var err error
	for range 50 { // the port was ours a moment ago; give the kernel a moment if it hesitates
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		panic(fmt.Sprintf("testenv: SMTP listen again on %s: %v", s.addr, err))
	}
	s.serve(l)
}

// FailNext makes the sink reject the next n messages at the end of DATA with the
// SMTP reply code and text, e.g. 451 "Try again later" (temporary) or 554
// (permanent).
func (s *SMTPSink) FailNext(n, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode, s.failMsg = n, code, msg
}

// Messages returns the messages received so far, oldest first.
func (s *SMTPSink) Messages() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.msgs...)
}

// Rejected returns the messages the sink refused at FailNext's request, oldest
// first: what a sender sent on an attempt that failed.
func (s *SMTPSink) Rejected() []ReceivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceivedMail(nil), s.rejected...)
}

// WaitFor waits until the sink has received at least n messages and returns them;
// it fails the test when they do not arrive within timeout.
func (s *SMTPSink) WaitFor(t testing.TB, n int, timeout time.Duration) []ReceivedMail {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("testenv: SMTP sink received %d messages within %v, want %d", got, timeout, n)
		}
	}
}

// serve runs a fresh server on l: a closed go-smtp Server cannot be restarted.
func (s *SMTPSink) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 16 << 20
	srv.MaxRecipients = 50
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.done, s.lis = srv, done, l
	s.mu.Unlock()
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
}

// receive files a message, or rejects it when FailNext asked for that.
func (s *SMTPSink) receive(m ReceivedMail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN > 0 {
		s.failN--
		s.rejected = append(s.rejected, m)
		return &smtp.SMTPError{Code: s.failCode, EnhancedCode: smtp.EnhancedCodeNotSet, Message: s.failMsg}
	}
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// sinkSession is one SMTP conversation.
type sinkSession struct {
	sink *SMTPSink
	user string
	from string
	to   []string
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		ss.user = username
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "testenv: unreadable message: " + err.Error()}
	}
	m.From, m.To, m.User = ss.from, ss.to, ss.user
	return ss.sink.receive(m)
}

func (ss *sinkSession) Reset() { ss.from, ss.to = "", nil }

func (ss *sinkSession) Logout() error { return nil }

// parseMail takes a raw message apart: headers, and the first text/plain and
// text/html parts at any depth of multipart nesting.
func parseMail(raw []byte) (ReceivedMail, error) {
	m := ReceivedMail{Raw: raw}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, err
	}
	var dec mime.WordDecoder
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, fmt.Errorf("subject: %w", err)
	}
	m.MessageID = msg.Header.Get("Message-Id")
	err = walkPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

// walkPart reads one MIME entity into m, descending into multiparts.
func walkPart(m *ReceivedMail, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return fmt.Errorf("%s: unexpected charset %q", mediaType, cs)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = text
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = text
	}
	return nil
}
