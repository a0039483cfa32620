package i18n

import (
	"sort"
	"strconv"
	"strings"
)

// Match returns the first locale Portico speaks in an Accept-Language header,
// honouring q-values ("de, en;q=0.5" is English, "sk-SK,sk;q=0.9" Slovak), or ""
// when it names none of them. A wildcard names no language in particular.
func Match(acceptLanguage string) string {
	type choice struct {
		locale string
		q      float64
		at     int
	}
	var cs []choice
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		base, _, _ := strings.Cut(tag, "-")
		if !Supported(base) {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > 0 {
			cs = append(cs, choice{base, q, i})
		}
	}
	if len(cs) == 0 {
		return ""
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].q > cs[j].q })
	return cs[0].locale
}

// Resolve chooses the language of a request: the person's own choice, else the
// browser's Accept-Language when Portico speaks it, else the tenant's language,
// else English. Pass "" for what is not known (staff pass no browser header:
// their language is their own choice, else the tenant's).
func Resolve(own, acceptLanguage, tenant string) string {
	if Supported(own) {
		return own
	}
	if l := Match(acceptLanguage); l != "" {
		return l
	}
	if Supported(tenant) {
		return tenant
	}
	return EN
}
