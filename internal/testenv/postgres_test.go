package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPostgres fails, rather than skips, when PostgreSQL is not installed: the
// test suite depends on it (see scripts/install-deps.sh).
func TestPostgres(t *testing.T) {
	pg, err := StartPostgres()
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	dir := pg.dir
	defer func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Create the databases concurrently to exercise that CreateDatabase is safe for it.
	urls := make([]string, 2)
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i := range urls {
		wg.Go(func() { urls[i], errs[i] = pg.CreateDatabase(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	if urls[0] == urls[1] {
		t.Fatalf("CreateDatabase returned the same URL twice: %s", urls[0])
	}

	for i, u := range urls {
		checkURL(t, u, pg.port)
		roundTrip(t, ctx, u, fmt.Sprintf("row %d", i))
	}

	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Stop, %s still exists (stat error: %v)", dir, err)
	}
	if err := pg.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// checkURL checks that u has the documented shape.
func checkURL(t *testing.T, u string, port int) {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatalf("bad URL %q: %v", u, err)
	}
	if parsed.Scheme != "postgres" || parsed.User.Username() != "postgres" ||
		parsed.Host != fmt.Sprintf("127.0.0.1:%d", port) ||
		len(parsed.Path) < 2 || parsed.RawQuery != "sslmode=disable" {
		t.Errorf("URL %q does not look like postgres://postgres@127.0.0.1:%d/NAME?sslmode=disable", u, port)
	}
}

// roundTrip connects to the database at u, runs SELECT 1, and writes and reads
// back a row in a new table. The table has the same name in every database, so
// CREATE TABLE also checks that the databases are distinct.
func roundTrip(t *testing.T, ctx context.Context, u, value string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect %s: %v", u, err)
	}
	defer conn.Close(ctx)

	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("%s: SELECT 1 = %d, %v", u, one, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"); err != nil {
		t.Fatalf("%s: CREATE TABLE: %v", u, err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO items (id, name) VALUES ($1, $2)", 1, value); err != nil {
		t.Fatalf("%s: INSERT: %v", u, err)
	}
	var got string
	if err := conn.QueryRow(ctx, "SELECT name FROM items WHERE id = $1", 1).Scan(&got); err != nil {
		t.Fatalf("%s: SELECT: %v", u, err)
	}
	if got != value {
		t.Errorf("%s: got %q, want %q", u, got, value)
	}
}
