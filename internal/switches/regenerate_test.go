package switches_test

import (
	"context"
	"testing"

	"portico/internal/domain"
	"portico/internal/testenv"
)

// New credentials end the device's open connection on the embedded broker at
// once: the device, still holding the old password, cannot come back, and a
// device with the new password can.
func TestRegenerateCredentialsDisconnectsDevice(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *testenv.DB) {
		w := newWorld(t, db, testenv.BrokerEmbedded, testenv.SwitchOptions{})
		w.ss.Device(t, w.tas, w.devPW[w.tas.ID])

		sw, pw, err := w.ss.Switches.RegenerateCredentials(context.Background(), w.tn.Staff, w.tas.ClientID, w.tas.ProjectID, w.tas.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sw.Username == w.tas.Username || pw == w.devPW[w.tas.ID] {
			t.Fatal("credentials did not change")
		}
		w.ss.WaitSwitch(t, w.tas.ID, "offline after its credentials were replaced", func(s *domain.Switch) bool { return !s.Online })

		w.ss.Device(t, sw, pw)
	})
}
