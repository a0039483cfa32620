package app

import (
	"context"

	"portico/internal/domain"
	"portico/internal/store"
	"portico/internal/switches"
)

// Answers to an external broker that asks the server who may connect and what
// they may do (EMQX's HTTP authentication and authorization).
const (
	BrokerAllow  = "allow"
	BrokerDeny   = "deny"
	BrokerIgnore = "ignore" // not a device: the broker's other sources decide
)

// deviceAccount returns the account of the switch whose device signs in as
// username, or nil when username is no switch's.
func (a *App) deviceAccount(ctx context.Context, username string) (*store.DeviceAccount, error) {
	if username == "" {
		return nil, nil
	}
	acc, err := a.store.Devices(switchesPrincipal()).SwitchAccount(ctx, username)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return acc, err
}

// AuthenticateDevice answers whether username may connect with password, as
// the embedded broker decides: allow for a switch's device with its own
// password, deny for a switch's username with any other, and ignore for a
// username that is no switch's (the server's own account, say), so that the
// broker's other authenticators decide.
func (a *App) AuthenticateDevice(ctx context.Context, username, password string) (string, error) {
	acc, err := a.deviceAccount(ctx, username)
	if acc == nil || err != nil {
		return BrokerIgnore, err
	}
	if !switches.PasswordMatches(acc.PasswordHash, []byte(password)) {
		a.Log.InfoContext(ctx, "mqtt: refused wrong password", "username", username)
		return BrokerDeny, nil
	}
	return BrokerAllow, nil
}

// AuthorizeDevice answers whether the device username may publish on topic
// (action "publish") or subscribe to the filter topic (action "subscribe"):
// exactly what its family allows on the embedded broker. A username that is no
// switch's is ignored, so that the broker's other sources decide (and deny, as
// the documented configuration does when none allows).
func (a *App) AuthorizeDevice(ctx context.Context, username, action, topic string) (string, error) {
	acc, err := a.deviceAccount(ctx, username)
	if acc == nil || err != nil {
		return BrokerIgnore, err
	}
	fam := switches.FamilyOf(acc.Family)
	ok := false
	switch {
	case fam == nil:
	case action == "publish":
		ok = fam.MayPublish(acc.Topic, topic)
	case action == "subscribe":
		ok = fam.MaySubscribe(acc.Topic, topic)
	}
	if !ok {
		a.Log.InfoContext(ctx, "mqtt: denied", "username", username, "topic", topic, "action", action)
		return BrokerDeny, nil
	}
	return BrokerAllow, nil
}
