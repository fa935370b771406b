package emulator

import "net/http"

// serveECSControl answers the ECS part of the control API.
func (e *ecsService) serveECSControl(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
