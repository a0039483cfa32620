package store

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and strips diacritics, so that a search for "kosice" finds
// "Košice" on both databases (SQLite's LOWER knows only ASCII).
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// foldedLetters are the accented letters of the languages Portico's tenants
// write in, paired with what fold makes of them. foldedSQL strips them in SQL,
// upper and lower case, because SQLite's LOWER leaves "Š" as it is.
var foldedLetters = []struct{ from, to string }{
	{"á", "a"}, {"ä", "a"}, {"č", "c"}, {"ď", "d"}, {"é", "e"}, {"ě", "e"}, {"í", "i"}, {"ĺ", "l"},
	{"ľ", "l"}, {"ň", "n"}, {"ó", "o"}, {"ô", "o"}, {"ö", "o"}, {"ő", "o"}, {"ŕ", "r"}, {"ř", "r"},
	{"š", "s"}, {"ť", "t"}, {"ú", "u"}, {"ů", "u"}, {"ü", "u"}, {"ű", "u"}, {"ý", "y"}, {"ž", "z"},
}

// foldedSQL is a portable SQL expression for fold(x) of the text expression x,
// for searching columns that keep no folded copy of their own: the same LIKE
// pattern as contains then matches "Kováčová" for "kovacova" on both databases.
func foldedSQL(x string) column {
	var b strings.Builder
	for range foldedLetters {
		b.WriteString("REPLACE(REPLACE(")
	}
	b.WriteString(x)
	for _, l := range foldedLetters {
		fmt.Fprintf(&b, ", '%s', '%s'), '%s', '%s')", l.from, l.to, strings.ToUpper(l.from), l.to)
	}
	return column("LOWER(" + b.String() + ")")
}
