package web

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"portico/internal/domain"
)

// An external broker (EMQX) asks the server who may connect and what they may
// do: its HTTP authenticator posts to /mqtt/authn, its HTTP authorization
// source to /mqtt/authz, each with the shared secret in an
// "Authorization: Bearer …" header. Both answer {"result": "allow" | "deny" |
// "ignore"}, as EMQX 5 expects, with status 200.

// brokerRequest is what the broker's request body template sends: JSON, or a
// form when the broker is set to send one.
type brokerRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	ClientID string `json:"clientid"`
	Action   string `json:"action"`
	Topic    string `json:"topic"`
}

func readBrokerRequest(r *http.Request) (brokerRequest, error) {
	var req brokerRequest
	bad := domain.Errorf(domain.EINVALID, "The request is not a broker's question.")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return req, bad
		}
		f := r.PostForm
		return brokerRequest{Username: f.Get("username"), Password: f.Get("password"), ClientID: f.Get("clientid"),
			Action: f.Get("action"), Topic: f.Get("topic")}, nil
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return req, bad
	}
	return req, nil
}

// brokerAuthn serves POST /mqtt/authn: may this username connect with this password?
func (s *Server) brokerAuthn(w http.ResponseWriter, r *http.Request) error {
	req, err := readBrokerRequest(r)
	if err != nil {
		return err
	}
	result, err := s.app.AuthenticateDevice(r.Context(), req.Username, req.Password)
	if err != nil {
		return err
	}
	// A device is never a superuser: its every publish and subscription is checked.
	return writeBrokerJSON(w, http.StatusOK, map[string]any{"result": result, "is_superuser": false})
}

// brokerAuthz serves POST /mqtt/authz: may this username publish on, or
// subscribe to, this topic?
func (s *Server) brokerAuthz(w http.ResponseWriter, r *http.Request) error {
	req, err := readBrokerRequest(r)
	if err != nil {
		return err
	}
	result, err := s.app.AuthorizeDevice(r.Context(), req.Username, strings.ToLower(req.Action), req.Topic)
	if err != nil {
		return err
	}
	return writeBrokerJSON(w, http.StatusOK, map[string]any{"result": result})
}

func writeBrokerJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// brokerGuard lets only the broker in: a request must carry the shared secret.
// Without a configured secret the routes do not exist. Errors are answered in
// JSON with a status other than 200, which the broker reads as "ignore" (and,
// configured as documented, then denies).
func (s *Server) brokerGuard(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		switch {
		case s.secret == "":
			err = domain.Errorf(domain.ENOTFOUND, "Page not found.")
		case !hasBearer(r, s.secret):
			err = domain.Errorf(domain.EUNAUTHORIZED, "The broker's secret is missing or wrong.")
		default:
			err = h(w, r)
		}
		if err == nil {
			return
		}
		status := statusOf(domain.ErrorCode(err))
		if status == http.StatusInternalServerError {
			s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeBrokerJSON(w, status, map[string]any{"result": "ignore", "message": domain.ErrorMessage(err)})
	})
}

// hasBearer reports whether the request carries "Authorization: Bearer secret".
func hasBearer(r *http.Request, secret string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(secret)) == 1
}
