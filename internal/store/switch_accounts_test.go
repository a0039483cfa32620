package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"portico/internal/access"
	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/testenv"
)

// Credentials made before a switch is stored become its credentials: the
// username as made, the password's hash only. Only NewSwitchCredentials makes
// them, and only staff with switches.manage may use them.
func TestSwitchWithCredentialsMadeFirst(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		ctx := context.Background()
		tn := db.Tenant(t, "")
		c := db.Client(t, tn, "Dencorp")
		p := db.Project(t, tn, c, "Office lighting", nil)
		hashOf := func(pw string) string { sum := sha256.Sum256([]byte(pw)); return hex.EncodeToString(sum[:]) }

		cred := store.NewSwitchCredentials()
		if cred.Username == "" || len(cred.Password) < 40 || cred.Username == store.NewSwitchCredentials().Username {
			t.Fatalf("credentials %+v are not fresh", cred)
		}
		sw := &domain.Switch{ClientID: c.ID, ProjectID: p.ID, Name: "Office light", Family: domain.FamilyTasmota, Topic: "office_light"}
		if err := db.Store.Staff(tn.Staff).CreateSwitchWithCredentials(ctx, sw, cred); err != nil {
			t.Fatal(err)
		}
		acc, err := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchAccount(ctx, cred.Username)
		if err != nil || acc.SwitchID != sw.ID || acc.PasswordHash != hashOf(cred.Password) || sw.Username != cred.Username {
			t.Fatalf("stored account %+v (%v), switch %+v", acc, err, sw)
		}

		// A topic in use: nothing stored.
		twin := &domain.Switch{ClientID: c.ID, ProjectID: p.ID, Name: "Twin", Family: domain.FamilyShelly, Topic: "office_light"}
		if err := db.Store.Staff(tn.Staff).CreateSwitchWithCredentials(ctx, twin, store.NewSwitchCredentials()); domain.FieldErrors(err)["topic"] == "" {
			t.Fatalf("a taken topic: %v", err)
		}
		// Credentials not made by NewSwitchCredentials have no hash to store.
		if err := db.Store.Staff(tn.Staff).CreateSwitchWithCredentials(ctx, twin, store.SwitchCredentials{Username: "sw-x", Password: "x"}); err == nil {
			t.Fatal("credentials made by hand were stored")
		}
		reader := access.NewStaff(db.StaffUser(t, tn, "reader@x.test"))
		if _, err := db.Store.Staff(reader).ReplaceSwitchCredentials(ctx, c.ID, p.ID, sw.ID, store.NewSwitchCredentials()); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Fatalf("replace without switches.manage: %v", err)
		}

		next := store.NewSwitchCredentials()
		got, err := db.Store.Staff(tn.Staff).ReplaceSwitchCredentials(ctx, c.ID, p.ID, sw.ID, next)
		if err != nil || got.Username != next.Username {
			t.Fatalf("replace: %+v, %v", got, err)
		}
		if _, err := db.Store.Devices(testenv.SwitchesPrincipal()).SwitchAccount(ctx, cred.Username); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("the old username still has an account: %v", err)
		}
		if _, err := db.Store.Staff(tn.Staff).ReplaceSwitchCredentials(ctx, c.ID, p.ID, sw.ID+100, store.NewSwitchCredentials()); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("replace on a missing switch: %v", err)
		}

		// Every tenant's switches, for the broker.
		other := db.Tenant(t, "")
		oc := db.Client(t, other, "Other")
		osw, _ := db.Switch(t, other, db.Project(t, other, oc, "Other", nil), "Pump", domain.FamilyShelly, "pump-1")
		all, err := db.Store.Devices(testenv.SwitchesPrincipal()).BrokerAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.BrokerAccount{
			{SwitchID: sw.ID, Username: next.Username, Family: domain.FamilyTasmota, Topic: "office_light"},
			{SwitchID: osw.ID, Username: osw.Username, Family: domain.FamilyShelly, Topic: "pump-1"},
		}
		if len(all) != len(want) || all[0] != want[0] || all[1] != want[1] {
			t.Fatalf("BrokerAccounts = %+v, want %+v", all, want)
		}
	})
}
