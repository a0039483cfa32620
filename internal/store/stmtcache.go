package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// readPool is the pool reads go through. On SQLite it keeps the statements it
// has prepared, by their text, so that a query asked again is not parsed and
// planned again: the SQLite driver compiles every unprepared query afresh, and
// under load that was about a fifth of the portal's CPU time. database/sql
// prepares a kept statement once on each connection that runs it. PostgreSQL's
// driver keeps prepared statements per connection itself; there stmts is nil and
// every call goes straight to the pool.
type readPool struct {
	*sql.DB
	stmts *stmtCache
}

// QueryContext runs query through its kept statement, preparing it first if needed.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e := p.stmts.acquire(ctx, p.DB, query)
	if e == nil {
		return p.DB.QueryContext(ctx, query, args...)
	}
	defer p.stmts.release(e)
	return e.stmt.QueryContext(ctx, args...)
}

// QueryRowContext runs query through its kept statement, preparing it first if needed.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	e := p.stmts.acquire(ctx, p.DB, query)
	if e == nil {
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	defer p.stmts.release(e)
	return e.stmt.QueryRowContext(ctx, args...)
}

// ExecContext runs query through its kept statement, preparing it first if needed.
func (p *readPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e := p.stmts.acquire(ctx, p.DB, query)
	if e == nil {
		return p.DB.ExecContext(ctx, query, args...)
	}
	defer p.stmts.release(e)
	return e.stmt.ExecContext(ctx, args...)
}

// stmtCacheSize bounds the kept statements: the least recently used one goes
// when a new one comes. Queries whose text depends on the data (an IN list as
// long as a user's companies) make new texts; the bound keeps them from growing
// without end. Each kept statement costs some kilobytes on each connection that
// ran it.
const stmtCacheSize = 256

// stmtCache keeps prepared statements by query text, least recently used last.
// A statement pushed out is closed once no call is still starting a query with
// it (rows already open keep it alive on their own: database/sql closes it after
// them).
type stmtCache struct {
	mu    sync.Mutex
	size  int
	byKey map[string]*list.Element // of *stmtEntry
	lru   list.List                // most recently used at the front
}

type stmtEntry struct {
	query   string
	stmt    *sql.Stmt
	users   int  // calls between acquire and release
	evicted bool // out of the cache: closed when users falls to 0
}

func newStmtCache(size int) *stmtCache {
	return &stmtCache{size: size, byKey: map[string]*list.Element{}}
}

// acquire returns the kept statement of query, preparing it if there is none;
// nil (run the query unprepared) when c is nil or preparing fails, so that the
// query's own error is what the caller sees. Every entry returned must be
// released.
func (c *stmtCache) acquire(ctx context.Context, db *sql.DB, query string) *stmtEntry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	if el, ok := c.byKey[query]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*stmtEntry)
		e.users++
		c.mu.Unlock()
		return e
	}
	c.mu.Unlock()
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[query]; ok { // prepared meanwhile by another call
		st.Close()
		c.lru.MoveToFront(el)
		e := el.Value.(*stmtEntry)
		e.users++
		return e
	}
	e := &stmtEntry{query: query, stmt: st, users: 1}
	c.byKey[query] = c.lru.PushFront(e)
	for c.lru.Len() > c.size {
		old := c.lru.Back()
		c.lru.Remove(old)
		oe := old.Value.(*stmtEntry)
		delete(c.byKey, oe.query)
		oe.evicted = true
		if oe.users == 0 {
			oe.stmt.Close()
		}
	}
	return e
}

// release ends a call's use of e, closing it if it left the cache meanwhile.
func (c *stmtCache) release(e *stmtEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.users--
	if e.evicted && e.users == 0 {
		e.stmt.Close()
	}
}

// close closes every kept statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.lru.Front(); el != nil; el = el.Next() {
		e := el.Value.(*stmtEntry)
		e.evicted = true
		if e.users == 0 {
			e.stmt.Close()
		}
	}
	c.lru.Init()
	c.byKey = map[string]*list.Element{}
}
