package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// RAM: access keys of RAM users and STS sessions carry permission policies,
// checked on every ECS, STS and OSS call as RAM does (RAM reference, "Policy
// elements" and "Policy evaluation process"): an explicit Deny wins, else an
// Allow is needed; "*" is a wildcard in actions and resources; action names
// are case-insensitive. A key without a policy (an account's own key, the
// default one) may do everything, as an account's root key does.
//
// An STS session's permissions are the intersection of its role's policy
// (when one was set) and the Policy passed to AssumeRole (when given).
//
// Not modelled, so refused when a policy uses them rather than silently
// ignored: Condition, NotAction, NotResource. Policies survive Reset, as
// accounts do.

// ramPolicy is a parsed policy document.
type ramPolicy struct{ statements []ramStatement }

type ramStatement struct {
	deny      bool
	actions   []string // lower-case
	resources []string
}

// ramVerdict is the outcome of evaluating a call.
type ramVerdict int

const (
	ramAllowed ramVerdict = iota
	ramImplicitDeny
	ramExplicitDeny
)

// parseRAMPolicy reads a policy document; the error says what is wrong.
func parseRAMPolicy(doc string) (*ramPolicy, error) {
	var raw struct {
		Version   string
		Statement []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON policy document: %w", err)
	}
	if raw.Version != "1" {
		return nil, fmt.Errorf(`"Version" must be "1", not %q`, raw.Version)
	}
	if len(raw.Statement) == 0 {
		return nil, fmt.Errorf(`"Statement" must list at least one statement`)
	}
	p := &ramPolicy{}
	for i, st := range raw.Statement {
		for k := range st {
			switch k {
			case "Effect", "Action", "Resource":
			default:
				return nil, fmt.Errorf("statement %d: %q is not supported by the emulator (only Effect, Action, Resource)", i, k)
			}
		}
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" && effect != "Deny" {
			return nil, fmt.Errorf(`statement %d: "Effect" must be "Allow" or "Deny"`, i)
		}
		actions, err := stringOrList(st["Action"])
		if err != nil || len(actions) == 0 {
			return nil, fmt.Errorf(`statement %d: "Action" must be a string or a list of strings`, i)
		}
		resources, err := stringOrList(st["Resource"])
		if err != nil || len(resources) == 0 {
			return nil, fmt.Errorf(`statement %d: "Resource" must be a string or a list of strings`, i)
		}
		for j := range actions {
			actions[j] = strings.ToLower(actions[j])
		}
		p.statements = append(p.statements, ramStatement{deny: effect == "Deny", actions: actions, resources: resources})
	}
	return p, nil
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(raw, &many)
	return many, err
}

// decide evaluates one policy for an action on a resource.
func (p *ramPolicy) decide(action, resource string) ramVerdict {
	action = strings.ToLower(action)
	v := ramImplicitDeny
	for _, st := range p.statements {
		if !anyMatch(st.actions, action) || !anyMatch(st.resources, resource) {
			continue
		}
		if st.deny {
			return ramExplicitDeny
		}
		v = ramAllowed
	}
	return v
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against a pattern where "*" stands for any run of
// characters (slashes and colons included).
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// ramStore holds the policies of keys, roles and STS sessions.
type ramStore struct {
	mu       sync.Mutex
	keys     map[string]*ramPolicy   // long-term access key id -> its policy
	roles    map[string]*ramPolicy   // role ARN -> the role's policy
	sessions map[string][]*ramPolicy // STS access key id -> role and session policies
}

func newRAMStore() *ramStore {
	return &ramStore{keys: map[string]*ramPolicy{}, roles: map[string]*ramPolicy{}, sessions: map[string][]*ramPolicy{}}
}

// policiesOf returns the policies a key's calls must all pass; nil means
// unrestricted.
func (r *ramStore) policiesOf(keyID string) []*ramPolicy {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.keys[keyID]; ok {
		return []*ramPolicy{p}
	}
	return r.sessions[keyID]
}

// authorize evaluates a call of keyID.
func (r *ramStore) authorize(keyID, action, resource string) ramVerdict {
	v := ramAllowed
	for _, p := range r.policiesOf(keyID) {
		v = max(v, p.decide(action, resource))
	}
	return v
}

// sessionPolicies are the layers of a new STS session of role arn with an
// optional session policy; a malformed one is refused as STS does
// (InvalidParameter.PolicyGrammar, STS error codes).
func (r *ramStore) sessionPolicies(arn, sessionPolicy string) ([]*ramPolicy, error) {
	var layers []*ramPolicy
	r.mu.Lock()
	if p, ok := r.roles[arn]; ok {
		layers = append(layers, p)
	}
	r.mu.Unlock()
	if sessionPolicy != "" {
		p, err := parseRAMPolicy(sessionPolicy)
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check: "+err.Error())
		}
		layers = append(layers, p)
	}
	return layers, nil
}

func (r *ramStore) setSession(keyID string, layers []*ramPolicy) {
	if len(layers) == 0 {
		return
	}
	r.mu.Lock()
	r.sessions[keyID] = layers
	r.mu.Unlock()
}

// SetKeyPolicy attaches a policy document to a long-term access key (the
// default one, or one of AddRAMUser), replacing any earlier one: the key
// may then do only what the policy allows.
func (s *Server) SetKeyPolicy(keyID, policy string) error {
	if _, ok := s.accounts.lookup(keyID); !ok {
		return fmt.Errorf("no access key %q", keyID)
	}
	p, err := parseRAMPolicy(policy)
	if err != nil {
		return err
	}
	s.ram.mu.Lock()
	s.ram.keys[keyID] = p
	s.ram.mu.Unlock()
	return nil
}

// ClearKeyPolicy lifts a key's policy: it may do everything again.
func (s *Server) ClearKeyPolicy(keyID string) {
	s.ram.mu.Lock()
	delete(s.ram.keys, keyID)
	s.ram.mu.Unlock()
}

// AddRAMUser adds an access key of a RAM user of accountID holding policy.
func (s *Server) AddRAMUser(accountID, keyID, secret, policy string) error {
	if _, ok := s.accounts.lookup(keyID); ok {
		return fmt.Errorf("access key %q exists", keyID)
	}
	if _, err := parseRAMPolicy(policy); err != nil {
		return err
	}
	s.accounts.add(accountID, keyID, secret)
	return s.SetKeyPolicy(keyID, policy)
}

// SetRolePolicy sets the permission policy of a role (by ARN,
// acs:ram::<account>:role/<name>): sessions assumed afterwards get at most
// these permissions.
func (s *Server) SetRolePolicy(roleARN, policy string) error {
	if !roleArnPattern.MatchString(roleARN) {
		return fmt.Errorf("%q is not a role ARN (acs:ram::<account>:role/<name>)", roleARN)
	}
	p, err := parseRAMPolicy(policy)
	if err != nil {
		return err
	}
	s.ram.mu.Lock()
	s.ram.roles[roleARN] = p
	s.ram.mu.Unlock()
	return nil
}
