package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"portico/internal/domain"
	"portico/internal/mail"
	"portico/internal/store"
	"portico/internal/testenv"
)

// outboxKinds are the kinds of mail the outbox can hold: the store's string
// constants named Mail… (not its MailStatus… ones), read from its sources so
// that a kind added there is checked here without a word of this test changing.
func outboxKinds(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Mail") || strings.HasPrefix(name.Name, "MailStatus") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						kinds = append(kinds, v)
					}
				}
			}
		}
	}
	slices.Sort(kinds)
	if len(kinds) < 6 {
		t.Fatalf("found only the outbox kinds %v: the search is broken", kinds)
	}
	return kinds
}

// Every kind of mail the outbox holds goes out in Slovak to a reader of Slovak
// — subject, text and HTML — and in English to a reader of English, both from
// an English tenant: a portal user's mails in the user's own language (else
// the tenant's), the estimate decision, which goes to the tenant's address and
// no person, in the tenant's. Staff get no mail from Portico.
func TestEveryOutboxKindInTheReadersLanguage(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		r := newRig(t, db)
		ctx := t.Context()
		// Peter reads Slovak; Jana chose nothing and so reads the tenant's English.
		if _, err := db.Store.UpdatePortalAccount(ctx, r.scope(t, r.owner), "Peter", "Novák", "sk"); err != nil {
			t.Fatal(err)
		}
		e := r.estimate(t, false, 10)
		if _, err := r.app.DecideEstimate(ctx, r.scope(t, r.owner), e.ID, domain.EstimateAccepted, ""); err != nil {
			t.Fatal(err)
		}
		decisions := newDecisionMails(t, db)
		if len(decisions) != 1 {
			t.Fatalf("decision mails %+v", decisions)
		}
		compose := func(kind string, userID int64, activated bool) *mail.Email {
			t.Helper()
			if activated { // a password makes the account active: no invitation instead
				if err := db.Store.SetPortalPassword(ctx, r.tn.Company.ID, userID, "x"); err != nil {
					t.Fatal(err)
				}
			}
			m := mail.Message{CompanyID: r.tn.Company.ID, Kind: kind, PortalUserID: userID, ClientID: r.abc.ID}
			if kind == store.MailEstimateDecision {
				d := decisions[0]
				m = mail.Message{ID: d.ID, CompanyID: d.CompanyID, Kind: d.Kind, To: d.To, ClientID: d.ClientID}
			}
			em, err := r.app.ComposeMail(ctx, m)
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			return em
		}
		for _, kind := range outboxKinds(t) {
			for _, activated := range []bool{false, true} {
				var en, sk *mail.Email
				if kind == store.MailEstimateDecision {
					if activated {
						continue
					}
					en = compose(kind, 0, false)
					if err := db.Store.Staff(r.tn.Staff).UpdateCompanyLocale(ctx, "sk"); err != nil {
						t.Fatal(err)
					}
					sk = compose(kind, 0, false)
					if err := db.Store.Staff(r.tn.Staff).UpdateCompanyLocale(ctx, "en"); err != nil {
						t.Fatal(err)
					}
				} else {
					en = compose(kind, r.kosiceOnly.ID, activated)
					sk = compose(kind, r.owner.ID, activated)
				}
				what := kind
				if activated {
					what += " to an active account"
				}
				if !strings.Contains(en.HTML, `<html lang="en">`) || !strings.Contains(sk.HTML, `<html lang="sk">`) {
					t.Errorf("%s: the HTML parts are not in English and Slovak:\n%.300s\n%.300s", what, en.HTML, sk.HTML)
				}
				if en.Subject == sk.Subject || en.Text == sk.Text || sk.Subject == "" || sk.Text == "" {
					t.Errorf("%s: the Slovak mail is not Slovak:\n%s\n%s\n---\n%s\n%s", what, en.Subject, en.Text, sk.Subject, sk.Text)
				}
				for _, english := range []string{"Hello", "Sent by", " the ", " your ", " you "} {
					if strings.Contains(sk.Subject+sk.Text, english) {
						t.Errorf("%s: the Slovak mail says %q:\n%s\n%s", what, english, sk.Subject, sk.Text)
					}
				}
			}
		}
	})
}
