package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP URL's tls parameter.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which the server must offer (default; port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption, for local relays and tests (port 25)
)

const (
	// smtpStepTimeout bounds dialling, and separately each later exchange with
	// the server.
	smtpStepTimeout = 15 * time.Second
	// smtpSendTimeout bounds one whole Send.
	smtpSendTimeout = 30 * time.Second
)

// SMTPSender delivers email to an SMTP server, one connection per email.
type SMTPSender struct {
	host     string
	port     int
	tlsMode  string
	user     string
	password string
	from     *netmail.Address
}

// NewSMTPSender returns a sender for an SMTP URL such as
//
//	smtp://user:pass@smtp.example.com:587?from=Portico%20<no-reply@example.com>&tls=starttls
//
// The from parameter (an address, optionally with a display name) is required; tls
// is TLSStartTLS (the default), TLSImplicit or TLSNone; the port defaults to 587, 465
// or 25 accordingly. With a user the sender authenticates, choosing the strongest
// mechanism the server offers. Errors never quote the password.
func NewSMTPSender(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password and all.
		return nil, errors.New("mail: the SMTP URL is not a valid URL")
	}
	if u.Scheme != "smtp" {
		return nil, fmt.Errorf("mail: the SMTP URL must start with smtp://, not %q", u.Scheme+"://")
	}
	s := &SMTPSender{host: u.Hostname()}
	if s.host == "" {
		return nil, errors.New("mail: the SMTP URL names no host")
	}
	q := u.Query()
	s.tlsMode = strings.ToLower(q.Get("tls"))
	switch s.tlsMode {
	case "", TLSStartTLS:
		s.tlsMode, s.port = TLSStartTLS, 587
	case TLSImplicit:
		s.port = 465
	case TLSNone:
		s.port = 25
	default:
		return nil, fmt.Errorf("mail: the SMTP URL's tls must be %s, %s or %s, not %q", TLSStartTLS, TLSImplicit, TLSNone, s.tlsMode)
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("mail: the SMTP URL's port %q is not valid", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	from := q.Get("from")
	if from == "" {
		return nil, errors.New("mail: the SMTP URL needs a from parameter, e.g. from=Portico%20<no-reply@example.com>")
	}
	if s.from, err = netmail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: the SMTP URL's from %q is not an email address", from)
	}
	return s, nil
}

// String describes the sender for logs, without the password.
func (s *SMTPSender) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.host, strconv.Itoa(s.port))}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return u.String() + " (tls=" + s.tlsMode + ", from " + s.from.String() + ")"
}

// Send delivers e as a multipart/alternative message (plain text and HTML, UTF-8)
// with the Message-ID e asks for (a fresh one when it asks for none). It gives up after 30 seconds. Its errors are short
// sentences from the network or the server, such as "dial tcp 127.0.0.1:2525:
// connect: connection refused", fit to show staff.
func (s *SMTPSender) Send(ctx context.Context, e *Email) error {
	ctx, cancel := context.WithTimeout(ctx, smtpSendTimeout)
	defer cancel()

	msg, err := s.message(e)
	if err != nil {
		return err
	}
	client, err := s.client()
	if err != nil {
		return err
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return smtpError(err)
	}
	// go-mail bounds each exchange; this bounds the whole conversation.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := client.SendWithSMTPClient(conn, msg); err != nil {
		client.CloseWithSMTPClient(conn)
		return smtpError(err)
	}
	if err := client.CloseWithSMTPClient(conn); err != nil {
		// The server accepted the message; a failed QUIT does not undo that.
		return nil
	}
	return nil
}

// message builds the MIME message for e.
func (s *SMTPSender) message(e *Email) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(e.To); err != nil {
		return nil, fmt.Errorf("mail: recipient %q is not a valid email address", e.To)
	}
	msg.Subject(oneLine(e.Subject))
	msg.SetMessageIDWithValue(messageID(e.MessageID, s.from.Address))
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	return msg, nil
}

// client configures a go-mail client for one Send.
func (s *SMTPSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(smtpStepTimeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}),
	}
	switch s.tlsMode {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithUsername(s.user), gomail.WithPassword(s.password))
		if s.tlsMode == TLSNone {
			// The operator chose an unencrypted relay; go-mail refuses PLAIN and
			// LOGIN there unless told that this is intended.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return c, nil
}

// smtpError turns go-mail's error into a sentence staff can act on: the network
// error, or what the server refused and its reply, without message ids.
func smtpError(err error) error {
	text := err.Error()
	if i := strings.Index(text, ", affected message ID:"); i >= 0 {
		text = text[:i]
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		step := map[gomail.SendErrReason]string{
			gomail.ErrSMTPMailFrom:  "the mail server refused the sender",
			gomail.ErrSMTPRcptTo:    "the mail server refused the recipient",
			gomail.ErrSMTPData:      "the mail server refused the message",
			gomail.ErrSMTPDataClose: "the mail server refused the message",
		}[se.Reason]
		if step != "" {
			text = step + strings.TrimPrefix(text, se.Reason.String())
		}
	}
	// go-mail quotes the server's reply: 451 "4.0.0 Greylisted".
	text = quotedReply.ReplaceAllStringFunc(text, func(m string) string {
		code, quoted, _ := strings.Cut(m, " ")
		if reply, err := strconv.Unquote(quoted); err == nil {
			return code + " " + reply
		}
		return m
	})
	return &sendError{text: text, err: err}
}

var quotedReply = regexp.MustCompile(`\b[2-5][0-9][0-9] "(?:[^"\\]|\\.)*"`)

// sendError is a delivery error with tidied text that still unwraps to the cause.
type sendError struct {
	text string
	err  error
}

func (e *sendError) Error() string { return e.text }
func (e *sendError) Unwrap() error { return e.err }

// messageID returns the Message-ID value of the message whose left part is id, in
// the sender's domain; an empty id gets a fresh, random one.
func messageID(id, from string) string {
	domain := "portico.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	if id == "" {
		var b [16]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	return id + "@" + domain
}

// oneLine folds a subject onto one line, so that no template can inject headers.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
