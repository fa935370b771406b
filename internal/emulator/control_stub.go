package emulator

import "net/http"

// Placeholder until the control API lands.
type controlAPI struct{ s *Server }

func newControlAPI(s *Server) *controlAPI { return &controlAPI{s: s} }

func (c *controlAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
