package emulator

import (
	"io"
	"net/http"
)

// SeedBucket is an empty bucket of the default account in cn-beijing, part
// of the seeded world, so image exports and reports have somewhere to go.
const SeedBucket = "alidr-dr-images"

func (o *ossService) seed() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seedLocked()
}

func (o *ossService) seedLocked() {
	o.buckets[SeedBucket] = &ossBucket{name: SeedBucket, owner: DefaultAccountID, location: DefaultOSSLocation,
		storageClass: "Standard", created: seedEpoch, objects: map[string]*ossObject{}}
}

// CreateBucket creates a bucket owned by the default account without going
// through HTTP (test set-up). location "" means DefaultOSSLocation.
func (s *Server) CreateBucket(name, location string) error {
	if !bucketNameRE.MatchString(name) {
		return errInvalidBucketName()
	}
	o := s.oss
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.buckets[name]; ok {
		return &ossErr{http.StatusConflict, "BucketAlreadyExists", ecBucketTaken, "The requested bucket name is not available."}
	}
	o.buckets[name] = &ossBucket{name: name, owner: DefaultAccountID,
		location:     firstNonEmpty(normalizeLocation(location), DefaultOSSLocation),
		storageClass: "Standard", redundancy: "LRS", created: s.now(), objects: map[string]*ossObject{}}
	return nil
}

// PutObject streams body into bucket/key as a simple object, without going
// through HTTP (test set-up, e.g. seeding a large object for a download
// benchmark). The bucket must exist.
func (s *Server) PutObject(bucket, key string, body io.Reader) error {
	if err := validKey(key); err != nil {
		return err
	}
	return s.oss.putObject(bucket, key, "application/octet-stream", body)
}
