package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/store"
	"portico/internal/testenv"
)

// migrationCount is how many migrations the binary embeds: a fresh database gets all.
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("../../internal/store/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found (%v)", err)
	}
	return len(files)
}

// openSQLite opens the SQLite database of a data directory, as the commands do.
func openSQLite(t *testing.T, dataDir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: "sqlite:" + filepath.Join(dataDir, "portico.db")})
	if err != nil {
		t.Fatalf("open %s: %v", dataDir, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestMigrate(t *testing.T) {
	all := migrationCount(t)
	pgURL := testenv.NewDB(t, "postgres").URL // migrated already
	unusedData := t.TempDir()
	unreachable := "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable&connect_timeout=5"

	t.Run("sqlite: a fresh data directory gets every migration, then none", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new", "data") // created on the way
		want := fmt.Sprintf("Applied %d migration(s) to the sqlite database.\n", all)
		if out := mustRun(t, noEnv, "migrate", "--data", dir); out != want {
			t.Fatalf("first migrate: %q, want %q", out, want)
		}
		if out := mustRun(t, noEnv, "migrate", "--data", dir); out != "Applied 0 migration(s) to the sqlite database.\n" {
			t.Fatalf("second migrate: %q, want 0 applied", out)
		}
		if _, err := os.Stat(filepath.Join(dir, "portico.db")); err != nil {
			t.Fatalf("database file: %v", err)
		}
	})

	t.Run("sqlite: PORTICO_DATA names the data directory", func(t *testing.T) {
		dir := t.TempDir()
		out := mustRun(t, env(map[string]string{"PORTICO_DATA": dir}), "migrate")
		if !strings.HasPrefix(out, fmt.Sprintf("Applied %d migration", all)) {
			t.Fatalf("migrate: %q", out)
		}
		if _, err := os.Stat(filepath.Join(dir, "portico.db")); err != nil {
			t.Fatalf("the database is not in PORTICO_DATA: %v", err)
		}
	})

	t.Run("sqlite: --data beats PORTICO_DATA", func(t *testing.T) {
		flagDir, envDir := t.TempDir(), t.TempDir()
		mustRun(t, env(map[string]string{"PORTICO_DATA": envDir}), "migrate", "--data", flagDir)
		if _, err := os.Stat(filepath.Join(flagDir, "portico.db")); err != nil {
			t.Fatalf("the database is not in --data: %v", err)
		}
		if _, err := os.Stat(filepath.Join(envDir, "portico.db")); !os.IsNotExist(err) {
			t.Fatalf("PORTICO_DATA was used although --data was given (stat: %v)", err)
		}
	})

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"postgres: --database", []string{"migrate", "--database", pgURL}, nil},
		{"postgres: PORTICO_DATABASE_URL", []string{"migrate"}, map[string]string{"PORTICO_DATABASE_URL": pgURL}},
		{"postgres: --database beats PORTICO_DATABASE_URL", []string{"migrate", "--database", pgURL},
			map[string]string{"PORTICO_DATABASE_URL": unreachable}},
		{"postgres: PORTICO_DATABASE_URL beats the data directory", []string{"migrate"},
			map[string]string{"PORTICO_DATABASE_URL": pgURL, "PORTICO_DATA": unusedData}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out := mustRun(t, env(tc.env), tc.args...); out != "Applied 0 migration(s) to the postgres database.\n" {
				t.Fatalf("migrate: %q, want 0 applied to postgres (the database is migrated)", out)
			}
		})
	}

	if _, err := os.Stat(filepath.Join(unusedData, "portico.db")); !os.IsNotExist(err) {
		t.Errorf("a SQLite database appeared in PORTICO_DATA although a PostgreSQL URL was given (stat: %v)", err)
	}

	t.Run("postgres: an unreachable database fails", func(t *testing.T) {
		out, _, err := runCmd(t, noEnv, "migrate", "--database", unreachable)
		if err == nil || out != "" {
			t.Fatalf("migrate against nothing: err %v, stdout %q; want an error and no output", err, out)
		}
	})
}

// linkRE matches the one-time link that tenant create prints.
var linkRE = regexp.MustCompile(`(http://\S+)/app/password/([A-Za-z0-9_-]{43})\n`)

func TestTenantCreate(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, noEnv, "tenant", "create", "--name", "Acme Pest Control", "--slug", "acme",
		"--admin-email", "boss@acme.test", "--data", dir, "--base-url", "http://portal.test")

	for _, want := range []string{
		`Created Acme Pest Control (slug "acme").`,
		"The administrator boss@acme.test sets a password here (valid for 7 days, works once):",
		"Then they sign in at http://portal.test/app/login?company=acme\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	m := linkRE.FindStringSubmatch(out)
	if m == nil || m[1] != "http://portal.test" {
		t.Fatalf("output has no link http://portal.test/app/password/TOKEN:\n%s", out)
	}

	// The link belongs to the new administrator, who has every permission and no password yet.
	st := openSQLite(t, dir)
	u, err := app.New(st, nil, "http://portal.test").StaffLinkUser(t.Context(), m[2])
	if err != nil {
		t.Fatalf("the printed link does not work: %v", err)
	}
	if u.Email != "boss@acme.test" || u.HasPassword || !access.NewStaff(u).IsAdmin() {
		t.Fatalf("link user = %+v, want the administrator boss@acme.test without a password", u)
	}
	c, err := st.CompanyBySlug(t.Context(), "acme")
	if err != nil || c.Name != "Acme Pest Control" || c.ID != u.CompanyID {
		t.Fatalf("company acme = %+v, %v", c, err)
	}

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"the same slug again", []string{"--name", "Acme Two", "--slug", "acme", "--admin-email", "two@acme.test"},
			`A company with the slug "acme" already exists.`},
		{"the same slug in capitals", []string{"--name", "Acme Two", "--slug", "ACME", "--admin-email", "two@acme.test"},
			`A company with the slug "acme" already exists.`},
		{"a bad email", []string{"--name", "Beta", "--slug", "beta", "--admin-email", "boss-at-beta"},
			"Enter a valid email address"},
		{"no email", []string{"--name", "Beta", "--slug", "beta"}, "Administrator email is required."},
		{"no name", []string{"--slug", "beta", "--admin-email", "boss@beta.test"}, "Name is required."},
		{"a slug with spaces", []string{"--name", "Beta", "--slug", "beta services", "--admin-email", "boss@beta.test"},
			"lower-case letters, digits and hyphens"},
		{"an unquoted name leaves the rest unread", []string{"--name", "Beta", "Services", "--slug", "beta", "--admin-email", "boss@beta.test"},
			`unexpected argument "Services"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"tenant", "create", "--data", dir}, tc.args...)
			out, _, err := runCmd(t, noEnv, args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}

	// None of the refused attempts left a company behind.
	if _, err := st.CompanyBySlug(t.Context(), "beta"); err == nil {
		t.Errorf("a refused tenant create left company beta behind")
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, noEnv, "tenant", "create", "--name", "Acme Pest Control", "--slug", "acme",
		"--admin-email", "boss@acme.test", "--data", dir)
	out := filepath.Join(t.TempDir(), "backup.db")

	got := mustRun(t, noEnv, "backup", "--out", out, "--data", dir)
	if want := "Wrote a consistent copy of the database to " + out + ".\n"; got != want {
		t.Fatalf("backup: %q, want %q", got, want)
	}

	t.Run("the copy opens as SQLite with the data", func(t *testing.T) {
		st, err := store.Open(t.Context(), store.Config{URL: "sqlite:" + out})
		if err != nil {
			t.Fatalf("open the copy: %v", err)
		}
		defer st.Close()
		c, err := st.CompanyBySlug(t.Context(), "acme")
		if err != nil || c.Name != "Acme Pest Control" {
			t.Fatalf("company acme in the copy: %+v, %v", c, err)
		}
		if n, err := st.Migrate(t.Context()); n != 0 || err != nil {
			t.Fatalf("the copy needs %d migrations (%v); want it complete", n, err)
		}
	})

	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pgURL := testenv.NewDB(t, "postgres").URL
	missing := filepath.Join(t.TempDir(), "typo")

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"an existing file is refused", []string{"--out", out, "--data", dir}, "already exists"},
		{"--out is required", []string{"--data", dir}, "--out is required"},
		{"PostgreSQL is pg_dump's job", []string{"--out", filepath.Join(t.TempDir(), "pg.db"), "--database", pgURL}, "pg_dump"},
		{"a data directory without a database is refused", []string{"--out", filepath.Join(t.TempDir(), "empty.db"), "--data", missing},
			"no database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runCmd(t, noEnv, append([]string{"backup"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}

	after, err := os.ReadFile(out)
	if err != nil || string(after) != string(before) {
		t.Errorf("the refused backup changed the existing file (err %v)", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("backup of a missing data directory created it (stat: %v)", err)
	}
}
