package i18n

import (
	"time"
)

// Date writes the day of t in the zone loc (nil: as t is) the locale's way:
// "4 Dec 2026" in English, "4. 12. 2026" in Slovak, "—" for the zero time.
func Date(locale string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	if loc != nil {
		t = t.In(loc)
	}
	if locale == SK {
		return t.Format("2. 1. 2006")
	}
	return t.Format("2 Jan 2006")
}

// DateTime writes t in the zone loc (nil: as t is) to the minute:
// "4 Dec 2026, 15:04" in English, "4. 12. 2026 15:04" in Slovak, "—" for the
// zero time.
func DateTime(locale string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	if loc != nil {
		t = t.In(loc)
	}
	if locale == SK {
		return t.Format("2. 1. 2006 15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}
