package domain

import "time"

// DateTime prints a moment, already in the wanted time zone, the way the
// locale writes it: "15 Mar 2026, 14:05" in English, "15. 3. 2026 o 14:05" in
// Slovak.
func (f BillingFormat) DateTime(t time.Time) string {
	if f.sk() {
		return t.Format("2. 1. 2006") + " o " + t.Format("15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}
