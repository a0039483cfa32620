// Package i18n holds Portico's languages: which locales it speaks, the catalogues
// that translate English message ids, plural forms, the choice of a request's
// language, and how dates and numbers are written in each. It imports nothing of
// Portico's own, so that web, mail and pdf can all use it.
//
// A message id is the English text itself. A catalogue maps it to the locale's
// text; a missing entry falls back to English. A plural message id joins its
// English forms with "|" ("%d protocol|%d protocols"); its translation joins the
// locale's forms the same way, in the order PluralForm numbers them.
package i18n

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The locales Portico speaks. English is the language of the message ids.
const (
	EN = "en"
	SK = "sk"
)

// Locales lists the locales Portico speaks, English first.
var Locales = []string{EN, SK}

// Supported reports whether Portico speaks locale.
func Supported(locale string) bool { return locale == EN || locale == SK }

// Names gives each locale's name in its own language, for language pickers.
var Names = map[string]string{EN: "English", SK: "Slovenčina"}

// catalogues holds each non-English locale's translations. They are filled by
// package init functions (Add, or writes into the map Catalogue returns) and only
// read afterwards, so reads need no lock.
var catalogues = map[string]map[string]string{SK: {}}

// Catalogue returns the locale's catalogue, a live map that init functions may
// write entries into; nil for English and unknown locales.
func Catalogue(locale string) map[string]string { return catalogues[locale] }

// Add puts entries into the locale's catalogue, keeping an entry that is already
// there. Call it from init functions only.
func Add(locale string, entries map[string]string) {
	c := catalogues[locale]
	if c == nil {
		return
	}
	for k, v := range entries {
		if _, ok := c[k]; !ok {
			c[k] = v
		}
	}
}

// Has reports whether the locale's catalogue translates msg; English always does.
func Has(locale, msg string) bool {
	if locale == EN {
		return true
	}
	_, ok := catalogues[locale][msg]
	return ok
}

// T returns msg in the locale, or msg itself when there is no translation.
func T(locale, msg string) string {
	if t, ok := catalogues[locale][msg]; ok {
		return t
	}
	return msg
}

// PluralForm returns which of a locale's plural forms a count takes: in English
// 0 for one and 1 for every other count; in Slovak 0 for one, 1 for two to four,
// and 2 for zero, five and more.
func PluralForm(locale string, n int64) int {
	if n < 0 {
		n = -n
	}
	switch locale {
	case SK:
		switch {
		case n == 1:
			return 0
		case n >= 2 && n <= 4:
			return 1
		}
		return 2
	}
	if n == 1 {
		return 0
	}
	return 1
}

// PluralCount is how many plural forms a locale's translations list.
func PluralCount(locale string) int {
	if locale == SK {
		return 3
	}
	return 2
}

// Plural returns the form of the plural message id one|other that n takes in the
// locale, with every %d in it replaced by n written the locale's way:
// Plural("sk", 3, "%d protocol", "%d protocols") is "3 protokoly". Without a
// translation it says the English form.
func Plural(locale string, n int64, one, other string) string {
	forms := []string{one, other}
	l := EN
	if t, ok := catalogues[locale][one+"|"+other]; ok {
		if f := strings.Split(t, "|"); len(f) == PluralCount(locale) {
			forms, l = f, locale
		}
	}
	return strings.ReplaceAll(forms[PluralForm(l, n)], "%d", Number(locale, n))
}

// Number writes a whole number the locale's way: "1,234" in English, "1 234" in
// Slovak (with a no-break space).
func Number(locale string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if locale == SK {
		sep = "\u00a0"
	}
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Message translates a sentence made in Go (a flash message, an error, a field
// message), which may carry names and numbers: an exact entry first, then an
// entry whose %s, %d, %v or %q stand for the varying parts ("Client %s deleted.").
// The parts are put into the translation in order, translated themselves when
// the catalogue knows them (a field's label, "10 seconds"), and a translation
// with plural forms takes the form of the first number. Without a match the
// sentence stays English.
func Message(locale, msg string) string { return message(locale, msg, 2) }

func message(locale, msg string, depth int) string {
	c := catalogues[locale]
	if c == nil || msg == "" {
		return msg
	}
	if t, ok := c[msg]; ok {
		return t
	}
	for _, p := range patternsOf(locale) {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := m[1:]
		tr := p.to
		if strings.Contains(tr, "|") {
			n := int64(0)
			for i, v := range p.verbs {
				if v == 'd' {
					n, _ = strconv.ParseInt(args[i], 10, 64)
					break
				}
			}
			if f := strings.Split(tr, "|"); len(f) == PluralCount(locale) {
				tr = f[PluralForm(locale, n)]
			}
		}
		for i, a := range args {
			if p.verbs[i] != 'd' && depth > 0 {
				a = message(locale, a, depth-1)
			}
			tr = strings.Replace(tr, verbAt(tr), a, 1)
		}
		return tr
	}
	if depth < 2 {
		return list(locale, msg, depth)
	}
	return msg
}

// list translates a part that is a list made in Go ("2 sites, 1 project and 3
// documents"): each item on its own, joined with the locale's "and".
func list(locale, msg string, depth int) string {
	head, last, ok := strings.Cut(msg, " and ")
	if !ok || strings.Contains(last, " and ") {
		return msg
	}
	items := append(strings.Split(head, ", "), last)
	for i, it := range items {
		tr := message(locale, it, depth)
		if tr == it {
			return msg // not a list of things the catalogue knows
		}
		items[i] = tr
	}
	return strings.Join(items[:len(items)-1], ", ") + T(locale, " and ") + items[len(items)-1]
}

// verbAt returns the first formatting verb in s, so that the parts go in in order.
func verbAt(s string) string {
	if m := verbRE.FindString(s); m != "" {
		return m
	}
	return "\x00" // no verb left: Replace changes nothing
}

var verbRE = regexp.MustCompile(`%[sdvq]`)

// Verbs returns the formatting verbs of a message id in order ("%s", "%d"…);
// tests compare an entry's verbs with its message id's.
func Verbs(s string) []string { return verbRE.FindAllString(s, -1) }

type pattern struct {
	re    *regexp.Regexp
	verbs []byte
	to    string
	lit   int // characters of literal text: the more, the more specific
}

var (
	patternsMu sync.Mutex
	patterns   = map[string][]pattern{}
)

// patternsOf compiles, once per locale, the catalogue entries whose message ids
// have verbs, longest first so that the most specific sentence wins.
func patternsOf(locale string) []pattern {
	patternsMu.Lock()
	defer patternsMu.Unlock()
	if ps, ok := patterns[locale]; ok {
		return ps
	}
	var ps []pattern
	for k, v := range catalogues[locale] {
		if !verbRE.MatchString(k) || strings.Contains(k, "|") {
			continue // no varying part, or a template plural that Plural serves
		}
		var verbs []byte
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range verbRE.FindAllStringIndex(k, -1) {
			b.WriteString(regexp.QuoteMeta(k[last:loc[0]]))
			verb := k[loc[0]+1]
			verbs = append(verbs, verb)
			if verb == 'd' {
				b.WriteString(`(-?\d+)`)
			} else {
				b.WriteString(`(.+?)`)
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(k[last:]) + "$")
		ps = append(ps, pattern{re: regexp.MustCompile("(?s)" + b.String()), verbs: verbs, to: v, lit: len(k) - 2*len(verbs)})
	}
	// Longer literal text first: "Draft invoice %s saved." before "%s saved.".
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].lit > ps[j].lit })
	patterns[locale] = ps
	return ps
}
