package store

import (
	"strings"

	"portico/internal/domain"
)

// Keyset pages (domain.ListOptions.Keyset): a page is the rows that follow the
// last row already read in the list's order, found by comparing the sort key
// in SQL, not by counting rows from the start. A row added or removed before
// the page moves nothing, and the condition is only and-ed to the list's own
// (scoped) condition, so a key, whatever it holds, can only position within
// what the caller may see.

// errBadKey is a keyset page's After that is not a key of the list: the
// wrong number of values or a value of the wrong type.
var errBadKey = domain.Errorf(domain.EINVALID, "The cursor is not valid; start again without one.")

// keyKind is the type of one value of a sort key.
type keyKind int

const (
	keyInt  keyKind = iota // int64
	keyText                // string
)

// keyOrder is a list's sort order for keyset pages: its columns, the id last,
// all ascending or all descending, and the type of each value.
type keyOrder struct {
	cols  []string
	kinds []keyKind
	desc  bool
}

// orderBy is the order's ORDER BY list.
func (o keyOrder) orderBy() string {
	dir := ""
	if o.desc {
		dir = " DESC"
	}
	return strings.Join(o.cols, dir+", ") + dir
}

// after is the condition of the rows that follow opts.After in the order (a
// row-value comparison, which both engines evaluate column by column and can
// serve from an index on the columns). Without Keyset or After it matches
// every row; an After that is not a key of this order is errBadKey.
func (o keyOrder) after(opts domain.ListOptions) (cond, error) {
	if !opts.Keyset || opts.After == nil {
		return always(), nil
	}
	if len(opts.After) != len(o.kinds) {
		return none(), errBadKey
	}
	for i, v := range opts.After {
		switch o.kinds[i] {
		case keyInt:
			if _, ok := v.(int64); !ok {
				return none(), errBadKey
			}
		case keyText:
			if s, ok := v.(string); !ok || !domain.CleanText(s) {
				return none(), errBadKey
			}
		}
	}
	op := " > "
	if o.desc {
		op = " < "
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(o.cols)), ", ")
	return expr("("+strings.Join(o.cols, ", ")+")"+op+"("+marks+")", opts.After...), nil
}

// limit is the LIMIT and OFFSET of a page of opts: one row more than the page
// for a keyset page (to tell whether another follows), from its start.
func (o keyOrder) limit(opts domain.ListOptions) (limit, offset int) {
	opts = opts.Normalized()
	if opts.Keyset {
		return opts.PerPage + 1, 0
	}
	return opts.PerPage, opts.Offset()
}

// trim cuts a keyset page read with limit's extra row to its size and sets
// info.NextKey to the key of its last row when more follow; key makes a row's
// key in the order's columns. A numbered page is returned as it is.
func trim[T any](opts domain.ListOptions, rows []T, info *domain.PageInfo, key func(T) []any) []T {
	opts = opts.Normalized()
	if !opts.Keyset || len(rows) <= opts.PerPage {
		return rows
	}
	rows = rows[:opts.PerPage]
	info.NextKey = key(rows[len(rows)-1])
	return rows
}
