package mail

import (
	"strconv"
	"strings"
)

// lang is what a locale's templates need beyond their text: counted nouns in the
// language's plural forms, and how numbers are grouped.
type lang struct {
	// plural picks the form of a noun for n: English has one and other; Slovak one
	// (1), few (2–4) and many (0, 5 and more).
	plural func(n int, forms noun) string
	// group is the thousands separator.
	group string
	// what the mail says each thing of Contents is, in the form a list line
	// names it: "12 service protocols".
	protocols, documents, sites, projects, switches, invoices, estimates noun
	// units of a link's validity, as in "valid for 7 days".
	day, hour, minute noun
	// and joins the last two names of a list: "Hotel Tatra and Penzión Lipa".
	and string
}

// noun is a noun's forms: English uses one and many; Slovak one, few (2–4) and many.
type noun struct{ one, few, many string }

var english = lang{
	plural: func(n int, f noun) string {
		if n == 1 {
			return f.one
		}
		return f.many
	},
	group:     ",",
	protocols: noun{one: "service protocol", many: "service protocols"},
	documents: noun{one: "document", many: "documents"},
	sites:     noun{one: "site", many: "sites"},
	projects:  noun{one: "project", many: "projects"},
	switches:  noun{one: "switch you can turn on and off", many: "switches you can turn on and off"},
	invoices:  noun{one: "invoice", many: "invoices"},
	estimates: noun{one: "estimate", many: "estimates"},
	day:       noun{one: "day", many: "days"},
	hour:      noun{one: "hour", many: "hours"},
	minute:    noun{one: "minute", many: "minutes"},
	and:       " and ",
}

// slovak's units are in the accusative, as "platí 1 hodinu" needs; the list's
// nouns in the nominative, as a list line names them.
var slovak = lang{
	plural: func(n int, f noun) string {
		switch {
		case n == 1:
			return f.one
		case n >= 2 && n <= 4:
			return f.few
		}
		return f.many
	},
	group:     "\u00a0",
	protocols: noun{"servisný protokol", "servisné protokoly", "servisných protokolov"},
	documents: noun{"dokument", "dokumenty", "dokumentov"},
	sites:     noun{"prevádzka", "prevádzky", "prevádzok"},
	projects:  noun{"projekt", "projekty", "projektov"},
	switches:  noun{"spínač, ktorý môžete zapnúť a vypnúť", "spínače, ktoré môžete zapínať a vypínať", "spínačov, ktoré môžete zapínať a vypínať"},
	invoices:  noun{"faktúra", "faktúry", "faktúr"},
	estimates: noun{"cenová ponuka", "cenové ponuky", "cenových ponúk"},
	day:       noun{"deň", "dni", "dní"},
	hour:      noun{"hodinu", "hodiny", "hodín"},
	minute:    noun{"minútu", "minúty", "minút"},
	and:       " a ",
}

// count says n with its noun: "1 day", "7 days", "5 dní", "1 234 dokumentov".
func (l lang) count(n int, f noun) string {
	return l.number(n) + " " + l.plural(n, f)
}

// number groups n's thousands: "1,234" in English, "1 234" in Slovak.
func (l lang) number(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out += l.group
		}
		out += string(r)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// days says how many days a link lives: "7 days", "7 dní".
func (l lang) days(n int) string { return l.count(n, l.day) }

// duration says 60 minutes as "1 hour", 120 as "2 hours" and 45 as "45 minutes".
func (l lang) duration(n int) string {
	if n >= 60 && n%60 == 0 {
		return l.count(n/60, l.hour)
	}
	return l.count(n, l.minute)
}

// contents lists what there is of c, a line each, leaving out what there is
// none of: ["12 service protocols", "1 invoice"]. Nothing there gives none.
func (l lang) contents(c Contents) []string {
	var out []string
	for _, x := range []struct {
		n int
		f noun
	}{
		{c.Protocols, l.protocols}, {c.Documents, l.documents}, {c.Sites, l.sites}, {c.Projects, l.projects},
		{c.Switches, l.switches}, {c.Invoices, l.invoices}, {c.Estimates, l.estimates},
	} {
		if x.n > 0 {
			out = append(out, l.count(x.n, x.f))
		}
	}
	return out
}

// names joins names as a sentence lists them: "A", "A and B", "A, B and C" in
// English; "A, B a C" in Slovak. No names give "".
func (l lang) names(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + l.and + names[len(names)-1]
}
