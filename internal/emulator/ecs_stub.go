package emulator

import "net/http"

// Placeholder until the ECS service lands.
type ecsService struct{ s *Server }

func newECSService(s *Server) *ecsService { return &ecsService{s: s} }

func (e *ecsService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeRPCError(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
}
