package emulator

import "net/http"

// Placeholder until the ECS service lands. The methods below are the
// contract the control API relies on.
type ecsService struct{ s *Server }

func newECSService(s *Server) *ecsService { return &ecsService{s: s} }

func (e *ecsService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeRPCError(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
}

// serveControl answers control API calls under ControlPrefix+"ecs/".
func (e *ecsService) serveControl(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

// reset restores the seeded default world.
func (e *ecsService) reset() {}
