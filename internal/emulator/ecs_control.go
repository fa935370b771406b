package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// ECS part of the control API, under ControlPrefix+"ecs/":
//
//	POST   commands/{instanceId}  body CommandOutcome JSON: script Cloud Assistant outcomes
//	DELETE commands/{instanceId}  back to the default outcome
//	POST   durations              body {"InstanceCreate":"6s",...}: async durations (Go duration strings)
//	POST   consistency            body {"describes":n}: eventual consistency lag
//	POST   fail-next, run-schedules, export-role, export-scale: see snapStore.serveControl
func (e *ecsService) serveECSControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, ControlPrefix+"ecs/")
	// fail-next, run-schedules, export-role, export-scale (ecs_tasks.go).
	if st := snapsOf(e); st != nil && st.serveControl(w, r, path) {
		return
	}
	switch {
	case strings.HasPrefix(path, "commands/"):
		id := strings.TrimPrefix(path, "commands/")
		if id == "" || strings.Contains(id, "/") {
			http.NotFound(w, r)
			return
		}
		switch r.Method {
		case http.MethodPost, http.MethodPut:
			var o CommandOutcome
			if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
				http.Error(w, "body must be a CommandOutcome JSON object: "+err.Error(), http.StatusBadRequest)
				return
			}
			e.s.ScriptCommand(id, o)
		case http.MethodDelete:
			e.mu.Lock()
			delete(e.scripts, id)
			e.mu.Unlock()
		default:
			http.Error(w, "use POST or DELETE", http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case path == "durations" && r.Method == http.MethodPost:
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		parsed := map[string]time.Duration{}
		for k, v := range body {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < 0 {
				http.Error(w, "bad duration for "+k+": "+v, http.StatusBadRequest)
				return
			}
			parsed[k] = dur
		}
		e.mu.Lock()
		d := e.durations
		fields := map[string]*time.Duration{
			"InstanceCreate": &d.InstanceCreate, "InstanceStart": &d.InstanceStart, "InstanceStop": &d.InstanceStop,
			"CommandRun": &d.CommandRun, "DiskCreate": &d.DiskCreate, "DiskAttach": &d.DiskAttach, "DiskDetach": &d.DiskDetach, "SnapshotCreate": &d.SnapshotCreate, "SnapshotCopy": &d.SnapshotCopy,
			"ImageCreate": &d.ImageCreate, "ImageCopy": &d.ImageCopy, "ImageExport": &d.ImageExport,
		}
		for k := range parsed {
			if fields[k] == nil {
				e.mu.Unlock()
				http.Error(w, "unknown duration "+k, http.StatusBadRequest)
				return
			}
		}
		for k, v := range parsed {
			*fields[k] = v
		}
		e.durations = d
		e.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case path == "consistency" && r.Method == http.MethodPost:
		var body struct {
			Describes int `json:"describes"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Describes < 0 {
			http.Error(w, `body must be {"describes": n >= 0}`, http.StatusBadRequest)
			return
		}
		e.s.SetEventualConsistency(body.Describes)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
