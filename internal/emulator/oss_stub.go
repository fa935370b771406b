package emulator

import "net/http"

// Placeholder until the OSS service lands.
type ossService struct{ s *Server }

func newOSSService(s *Server) (*ossService, error) { return &ossService{s: s}, nil }

func (o *ossService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeOSSError(w, r, http.StatusNotImplemented, "NotImplemented", "not implemented")
}
