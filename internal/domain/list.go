package domain

// ListOptions selects one page of a list.
type ListOptions struct {
	Page    int // 1-based
	PerPage int

	// Keyset asks a list that supports it for a keyset page instead of a
	// numbered one: the PerPage rows that follow After (the sort key of the
	// last row already read, its id last; nil for the start). Such a page
	// stays in place when rows are added or removed before it. The answer's
	// PageInfo.NextKey is the key to continue from, nil on the last page; its
	// Total is not counted.
	Keyset bool
	After  []any
}

// Normalized returns opts with the page at least 1 and the page size between 1 and 100
// (25 by default).
func (o ListOptions) Normalized() ListOptions {
	if o.Page < 1 {
		o.Page = 1
	}
	if o.PerPage < 1 {
		o.PerPage = 25
	}
	if o.PerPage > 100 {
		o.PerPage = 100
	}
	return o
}

// Offset is the number of rows before the page.
func (o ListOptions) Offset() int { o = o.Normalized(); return (o.Page - 1) * o.PerPage }

// PageInfo describes where a page sits in its list.
type PageInfo struct {
	Page    int
	PerPage int
	Total   int
	NextKey []any // of a keyset page: where the next page starts; nil when none follows
}

// Pages is the number of pages, at least 1.
func (p PageInfo) Pages() int {
	if p.Total == 0 || p.PerPage == 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// HasPrev reports whether a previous page exists.
func (p PageInfo) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether a next page exists.
func (p PageInfo) HasNext() bool { return p.NextKey != nil || p.Page < p.Pages() }
