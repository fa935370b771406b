package emulator

import (
	"io"
	"net/http"
)

// Placeholder until the OSS service lands. The methods below are the
// contract the ECS service and the control API rely on.
type ossService struct{ s *Server }

func newOSSService(s *Server) (*ossService, error) { return &ossService{s: s}, nil }

func (o *ossService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeOSSError(w, r, http.StatusNotImplemented, "NotImplemented", "not implemented")
}

// bucketOwner returns the account id owning bucket, if it exists.
func (o *ossService) bucketOwner(bucket string) (string, bool) { return "", false }

// putObject stores an object as PutObject would (ECS ExportImage writes here).
func (o *ossService) putObject(bucket, key, contentType string, body io.Reader) error {
	return io.ErrUnexpectedEOF
}

// reset drops all buckets and objects.
func (o *ossService) reset() {}
