package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// serveRAMControl answers /_emulator/ram/...:
//
//	POST   /_emulator/ram/users               -> 201; body {"access_key_id":"...","access_key_secret":"...",
//	                                             "account_id":"..." (default the default account),"policy":{...}}
//	                                             adds a RAM user's access key holding the policy
//	PUT    /_emulator/ram/keys/ID/policy      -> 204; body is a policy document: the key may do only what it allows
//	DELETE /_emulator/ram/keys/ID/policy      -> 204; the key may do everything again
//	PUT    /_emulator/ram/roles/policy?arn=.. -> 204; body is the role's policy document, for sessions assumed later
//
// A policy is a RAM policy document (Version "1", Statement with Effect,
// Action, Resource), given as a JSON object or a string holding one.
func (s *Server) serveRAMControl(w http.ResponseWriter, r *http.Request, p string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		controlFail(w, http.StatusBadRequest, "read body: %v", err)
		return
	}
	keyPath, underKeys := strings.CutPrefix(p, "keys/")
	keyID, endsPolicy := strings.CutSuffix(keyPath, "/policy")
	isKeyPolicy := underKeys && endsPolicy && keyID != "" && !strings.Contains(keyID, "/")
	switch {
	case p == "users" && r.Method == http.MethodPost:
		var req struct {
			AccessKeyID     string          `json:"access_key_id"`
			AccessKeySecret string          `json:"access_key_secret"`
			AccountID       string          `json:"account_id"`
			Policy          json.RawMessage `json:"policy"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.AccessKeyID == "" || req.AccessKeySecret == "" {
			controlFail(w, http.StatusBadRequest, `give "access_key_id", "access_key_secret" and "policy"`)
			return
		}
		if req.AccountID == "" {
			req.AccountID = DefaultAccountID
		}
		if err := s.AddRAMUser(req.AccountID, req.AccessKeyID, req.AccessKeySecret, policyText(req.Policy)); err != nil {
			controlFail(w, http.StatusBadRequest, "%v", err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"access_key_id": req.AccessKeyID, "account_id": req.AccountID})
	case isKeyPolicy && r.Method == http.MethodPut:
		if err := s.SetKeyPolicy(keyID, policyText(body)); err != nil {
			controlFail(w, http.StatusBadRequest, "%v", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case isKeyPolicy && r.Method == http.MethodDelete:
		s.ClearKeyPolicy(keyID)
		w.WriteHeader(http.StatusNoContent)
	case p == "roles/policy" && r.Method == http.MethodPut:
		if err := s.SetRolePolicy(r.URL.Query().Get("arn"), policyText(body)); err != nil {
			controlFail(w, http.StatusBadRequest, "%v", err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		controlFail(w, http.StatusNotFound, "unknown RAM control endpoint %s %s", r.Method, r.URL.Path)
	}
}

// policyText accepts a policy as a JSON object or as a string holding one.
func policyText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
