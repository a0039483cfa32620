// Package domain holds Portico's nouns — tenants, staff, clients, contacts, sites,
// projects — and the typed errors every layer uses to say what went wrong in words
// fit for a user. It imports nothing of Portico's own.
package domain

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Error codes. Each maps to one HTTP status in the web layer.
const (
	EINVALID      = "invalid"      // bad input; see Error.Fields
	ENOTFOUND     = "not_found"    // missing, or not visible to the caller
	ECONFLICT     = "conflict"     // the state of the data forbids the change
	EFORBIDDEN    = "forbidden"    // signed in, but lacking a named permission
	EUNAUTHORIZED = "unauthorized" // not signed in, or wrong credentials
	ETOOMANY      = "too_many"     // rate limited
	ETOOLARGE     = "too_large"    // request body or upload over its limit
	EINTERNAL     = "internal"     // anything unexpected
)

// Error is an error with a code, a message that may be shown to the user as is,
// and optional per-field messages for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string // form field name → message shown next to it
	// RetryAfter says, for ETOOMANY, how long to wait before trying again; 0 when
	// it is not known.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	return fmt.Sprintf("%s %v", e.Message, e.Fields)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, or a generic sentence for
// errors that are not *Error (whose text may hold internals).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}

// FieldErrors returns the per-field messages of err, or nil.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// RetryAfter returns how long err says to wait before trying again, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Seconds says a duration in whole seconds or minutes, the way a sentence does:
// "1 second", "10 seconds", "1 minute", "2 minutes".
func Seconds(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs == 1:
		return "1 second"
	case secs < 60 || secs%60 != 0:
		return strconv.Itoa(secs) + " seconds"
	case secs == 60:
		return "1 minute"
	}
	return strconv.Itoa(secs/60) + " minutes"
}
