package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Bucket retention policies (WORM): InitiateBucketWorm (POST /?worm),
// CompleteBucketWorm (POST /?wormId=ID), ExtendBucketWorm
// (POST /?wormId=ID&wormExtend), GetBucketWorm (GET /?worm) and
// AbortBucketWorm (DELETE /?worm), as aliyun-oss-go-sdk v3.0.2 sends them
// (client.go) with its InitiateWormConfiguration, ExtendWormConfiguration
// and WormConfiguration bodies (type.go).
//
// Rules from the OSS API reference (InitiateBucketWorm, ExtendBucketWorm,
// GetBucketWorm, AbortBucketWorm pages and "Retention policies"):
//   - RetentionPeriodInDays is 1 to 25550.
//   - A new policy is InProgress; unless locked (CompleteBucketWorm) within
//     24 hours it becomes invalid (gone: GetBucketWorm answers 404). Within
//     those 24 hours it already protects the bucket's objects, and it can
//     be deleted (AbortBucketWorm).
//   - A Locked policy cannot be deleted or shortened, only extended.
//   - While a policy holds, an object cannot be deleted or overwritten until
//     its last-modified time plus the retention period has passed (EC
//     0026-00000202). Uploads of new objects and reads stay allowed.
//   - A policy cannot be configured while versioning is suspended.
//   - An unknown or wrong worm id answers 404.
//
// Not verified offline: the Code strings the service answers for a missing
// policy (NoSuchWORMConfiguration here), a protected object (FileImmutable
// here; the EC is the reference's), a second policy, locking an already
// locked policy, aborting a locked one and shortening one (409/400 here);
// whether a versioned bucket accepts, for a key whose current version is
// retained, a DeleteObject without versionId (a delete marker) or a new
// upload (a new current version): both destroy nothing, both would hide
// the retained version from plain reads; the emulator refuses them
// (stricter).

// maxWormDays is the reference's upper limit of RetentionPeriodInDays.
const maxWormDays = 25550

// wormLockWindow is how long an InProgress policy lives unless locked.
const wormLockWindow = 24 * time.Hour

const (
	wormInProgress = "InProgress"
	wormLocked     = "Locked"
)

const ecObjectImmutable = "0026-00000202" // delete or modify of an object in its retention period

type ossWorm struct {
	id      string
	state   string
	days    int
	created time.Time
}

func errObjectImmutable() *ossErr {
	return &ossErr{http.StatusConflict, "FileImmutable", ecObjectImmutable, "The object you specified is immutable: the bucket's retention policy protects it until its retention period ends."}
}

func errNoSuchWorm() *ossErr {
	return &ossErr{http.StatusNotFound, "NoSuchWORMConfiguration", "", "The WORM Configuration does not exist."}
}

// wormActiveLocked reports whether b's policy holds now, dropping an
// InProgress policy whose 24 hours have passed; o.mu is held for writing
// or the caller accepts that an expired policy is only seen as inactive.
func (o *ossService) wormActiveLocked(b *ossBucket) bool {
	w := b.worm
	if w == nil {
		return false
	}
	return w.state == wormLocked || o.s.now().Before(w.created.Add(wormLockWindow))
}

// retainedLocked reports whether obj is inside the retention period of a
// policy that holds.
func (o *ossService) retainedLocked(b *ossBucket, obj *ossObject) bool {
	if obj == nil || obj.deleteMarker || !o.wormActiveLocked(b) {
		return false
	}
	return o.s.now().Before(obj.modified.AddDate(0, 0, b.worm.days))
}

// currentWorm returns b's policy if it holds, forgetting an expired one.
func (o *ossService) currentWormLocked(b *ossBucket) *ossWorm {
	if !o.wormActiveLocked(b) {
		b.worm = nil
	}
	return b.worm
}

// wormDays reads RetentionPeriodInDays from a body rooted at root.
func wormDays(req *ossReq, root string) (int, *ossErr) {
	body, err := io.ReadAll(io.LimitReader(req.r.Body, 64<<10))
	if err != nil {
		return 0, errInternal(err)
	}
	var cfg struct {
		XMLName xml.Name
		Days    *string `xml:"RetentionPeriodInDays"`
	}
	if xml.Unmarshal(body, &cfg) != nil || cfg.XMLName.Local != root || cfg.Days == nil {
		return 0, errMalformedXML("")
	}
	days, cerr := strconv.Atoi(*cfg.Days)
	if cerr != nil || days < 1 || days > maxWormDays {
		return 0, errInvalidArgument("", "RetentionPeriodInDays must be an integer from 1 to 25550.")
	}
	return days, nil
}

func (o *ossService) initiateBucketWorm(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	days, err := wormDays(req, "InitiateWormConfiguration")
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if b.versioning == versioningSuspended {
		return &ossErr{http.StatusConflict, "InvalidBucketState", "", "A retention policy cannot be configured while versioning is suspended."}
	}
	if o.currentWormLocked(b) != nil {
		return &ossErr{http.StatusConflict, "WORMConfigurationAlreadyExist", "", "The bucket already has a retention policy."}
	}
	b.worm = &ossWorm{id: newUploadID(), state: wormInProgress, days: days, created: o.s.now()}
	req.w.Header().Set("x-oss-worm-id", b.worm.id)
	req.ok(http.StatusOK)
	return nil
}

// wormByID finds the policy the request's wormId names.
func (o *ossService) wormByIDLocked(req *ossReq, b *ossBucket) (*ossWorm, *ossErr) {
	w := o.currentWormLocked(b)
	if w == nil || w.id != req.q.Get("wormId") {
		return nil, errNoSuchWorm()
	}
	return w, nil
}

func (o *ossService) completeBucketWorm(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	w, err := o.wormByIDLocked(req, b)
	if err != nil {
		return err
	}
	if w.state == wormLocked {
		return &ossErr{http.StatusConflict, "WORMConfigurationLocked", "", "The retention policy is already locked."}
	}
	w.state = wormLocked
	req.ok(http.StatusOK)
	return nil
}

func (o *ossService) extendBucketWorm(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	days, err := wormDays(req, "ExtendWormConfiguration")
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	w, err := o.wormByIDLocked(req, b)
	if err != nil {
		return err
	}
	if w.state != wormLocked {
		return &ossErr{http.StatusConflict, "InvalidWORMState", "", "Only a locked retention policy can be extended."}
	}
	if days <= w.days {
		return errInvalidArgument("", "RetentionPeriodInDays can only be extended: the policy retains objects for "+strconv.Itoa(w.days)+" days.")
	}
	w.days = days
	req.ok(http.StatusOK)
	return nil
}

func (o *ossService) getBucketWorm(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	o.mu.Lock()
	w := o.currentWormLocked(b)
	var cfg struct {
		XMLName               xml.Name `xml:"WormConfiguration"`
		WormID                string   `xml:"WormId"`
		State                 string   `xml:"State"`
		RetentionPeriodInDays int      `xml:"RetentionPeriodInDays"`
		CreationDate          string   `xml:"CreationDate"`
	}
	if w != nil {
		cfg.WormID, cfg.State, cfg.RetentionPeriodInDays = w.id, w.state, w.days
		cfg.CreationDate = w.created.UTC().Format(ossTimeFormat)
	}
	o.mu.Unlock()
	if w == nil {
		return errNoSuchWorm()
	}
	req.writeXML(cfg)
	return nil
}

func (o *ossService) abortBucketWorm(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	w := o.currentWormLocked(b)
	if w == nil {
		return errNoSuchWorm()
	}
	if w.state == wormLocked {
		return &ossErr{http.StatusConflict, "WORMConfigurationLocked", "", "A locked retention policy cannot be deleted."}
	}
	b.worm = nil
	req.ok(http.StatusNoContent)
	return nil
}
