package emulator

import "sync"

// account is one Alibaba Cloud account: its access keys and id. Resource
// state is kept per account and region by the services.
type account struct {
	ID     string
	KeyID  string
	Secret string
}

type accounts struct {
	mu    sync.RWMutex
	byKey map[string]account
}

func newAccounts() *accounts { return &accounts{byKey: map[string]account{}} }

func (a *accounts) add(id, keyID, secret string) {
	a.mu.Lock()
	a.byKey[keyID] = account{ID: id, KeyID: keyID, Secret: secret}
	a.mu.Unlock()
}

// lookup finds the account of an access key id.
func (a *accounts) lookup(keyID string) (account, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	acc, ok := a.byKey[keyID]
	return acc, ok
}

// AddAccount registers another account, e.g. to test cross-account sharing.
func (s *Server) AddAccount(accountID, accessKeyID, accessKeySecret string) {
	s.accounts.add(accountID, accessKeyID, accessKeySecret)
}
