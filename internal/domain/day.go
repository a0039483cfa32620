package domain

import (
	"time"
)

// Day is a calendar date without a time of day or a zone: an invoice's issue and
// due dates are days in the tenant's calendar, not instants. Its zero value is "no
// date". Days compare with ==, Before and After.
type Day struct{ t time.Time } // midnight UTC of the day

// NewDay returns the day y-m-d; out-of-range values normalize as in time.Date.
func NewDay(y int, m time.Month, d int) Day { return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DayOf returns the day t falls on in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return NewDay(y, m, d)
}

// ParseDay reads an ISO date, "2026-03-15" (what <input type=date> sends).
// "0001-01-01" is refused: it is the zero Day, which means no date at all.
func ParseDay(s string) (Day, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.IsZero() {
		return Day{}, false
	}
	return Day{t}, true
}

// String is the ISO form, "2026-03-15", or "" for the zero Day.
func (d Day) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// IsZero reports whether d is no date.
func (d Day) IsZero() bool { return d.t.IsZero() }

// Before reports whether d is earlier than o.
func (d Day) Before(o Day) bool { return d.t.Before(o.t) }

// After reports whether d is later than o.
func (d Day) After(o Day) bool { return d.t.After(o.t) }

// AddDays returns the day n days later (earlier for negative n).
func (d Day) AddDays(n int) Day { return Day{d.t.AddDate(0, 0, n)} }

// DaysUntil returns how many days o is after d (negative when before).
func (d Day) DaysUntil(o Day) int { return int(o.t.Sub(d.t).Hours() / 24) }

// Year is the day's year.
func (d Day) Year() int { return d.t.Year() }

// Time returns midnight UTC of the day.
func (d Day) Time() time.Time { return d.t }
