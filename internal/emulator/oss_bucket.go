package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// bucketFor finds the request's bucket and checks the caller owns it.
// Callers hold no lock; the bucket pointer stays valid, its maps need o.mu.
func (o *ossService) bucketFor(req *ossReq) (*ossBucket, *ossErr) {
	o.mu.RLock()
	b, ok := o.buckets[req.bucket]
	o.mu.RUnlock()
	if !ok {
		return nil, errNoSuchBucket()
	}
	if b.owner != req.auth.acc.ID {
		return nil, denied("AccessDenied", "", "You have no right to access this bucket.")
	}
	return b, nil
}

// bucketNameRE is the OSS bucket naming rule: 3-63 characters, lower-case
// letters, digits and hyphens, starting and ending with a letter or digit
// (OSS reference, EC page 0015-00000001).
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// bucketStorageClasses are the storage classes PutBucket accepts, as the
// SDK names them (StorageClassType in aliyun-oss-go-sdk const.go); LRS and
// ZRS are its DataRedundancyType values (LRS the default). Other values
// are client bugs, refused here (the service's answer to them is not
// verified offline).
var bucketStorageClasses = map[string]bool{"Standard": true, "IA": true, "Archive": true, "ColdArchive": true, "DeepColdArchive": true}

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func owner(id string) xmlOwner { return xmlOwner{ID: id, DisplayName: id} }

// normalizeLocation accepts "cn-beijing" or "oss-cn-beijing".
func normalizeLocation(l string) string {
	if l == "" || strings.HasPrefix(l, "oss-") {
		return l
	}
	return "oss-" + l
}

func (o *ossService) putBucket(req *ossReq) *ossErr {
	if !bucketNameRE.MatchString(req.bucket) {
		return errInvalidBucketName()
	}
	var cfg struct {
		LocationConstraint string `xml:"LocationConstraint"`
		StorageClass       string `xml:"StorageClass"`
		DataRedundancyType string `xml:"DataRedundancyType"`
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, 64<<10))
	if err != nil {
		return errInternal(err)
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return errMalformedXML("")
		}
	}
	if cfg.StorageClass != "" && !bucketStorageClasses[cfg.StorageClass] {
		return errInvalidArgument("", "StorageClass must be one of Standard, IA, Archive, ColdArchive, DeepColdArchive.")
	}
	if cfg.DataRedundancyType != "" && cfg.DataRedundancyType != "LRS" && cfg.DataRedundancyType != "ZRS" {
		return errInvalidArgument("", "DataRedundancyType must be LRS or ZRS.")
	}
	loc := firstNonEmpty(normalizeLocation(cfg.LocationConstraint), normalizeLocation(req.auth.region), DefaultOSSLocation)
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.buckets[req.bucket]; ok {
		if b.owner == req.auth.acc.ID {
			// The service answers 200 when the owner re-creates its bucket.
			req.w.Header().Set("Location", "/"+req.bucket)
			req.ok(http.StatusOK)
			return nil
		}
		return &ossErr{http.StatusConflict, "BucketAlreadyExists", ecBucketTaken, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}
	}
	o.buckets[req.bucket] = &ossBucket{
		name: req.bucket, owner: req.auth.acc.ID, location: loc,
		storageClass: firstNonEmpty(cfg.StorageClass, "Standard"),
		redundancy:   firstNonEmpty(cfg.DataRedundancyType, "LRS"),
		created:      o.s.now(), objects: map[string]*ossObject{},
	}
	req.w.Header().Set("Location", "/"+req.bucket)
	req.ok(http.StatusOK)
	return nil
}

func (o *ossService) deleteBucket(req *ossReq) *ossErr {
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	o.mu.Lock()
	b, ok := o.buckets[req.bucket]
	if !ok {
		o.mu.Unlock()
		return errNoSuchBucket()
	}
	if len(b.objects) > 0 || len(b.versions) > 0 {
		o.mu.Unlock()
		return &ossErr{http.StatusConflict, "BucketNotEmpty", "", "The bucket you tried to delete is not empty."}
	}
	for _, u := range o.uploads {
		if u.bucket == req.bucket {
			o.mu.Unlock()
			return &ossErr{http.StatusConflict, "BucketNotEmpty", "", "The bucket has multipart uploads. Please delete them first."}
		}
	}
	delete(o.buckets, req.bucket)
	o.mu.Unlock()
	req.ok(http.StatusNoContent)
	return nil
}

func (o *ossService) listBuckets(req *ossReq) *ossErr {
	prefix, marker := req.q.Get("prefix"), req.q.Get("marker")
	maxKeys, err := maxParam(req.q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	type xmlBucket struct {
		Name         string `xml:"Name"`
		Location     string `xml:"Location"`
		CreationDate string `xml:"CreationDate"`
		StorageClass string `xml:"StorageClass"`
		Region       string `xml:"Region"`
	}
	var all []*ossBucket
	o.mu.RLock()
	for _, b := range o.buckets {
		if b.owner == req.auth.acc.ID && strings.HasPrefix(b.name, prefix) && b.name > marker {
			all = append(all, b)
		}
	}
	o.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	res := struct {
		XMLName     xml.Name    `xml:"ListAllMyBucketsResult"`
		Prefix      string      `xml:"Prefix,omitempty"`
		Marker      string      `xml:"Marker,omitempty"`
		MaxKeys     int         `xml:"MaxKeys,omitempty"`
		IsTruncated bool        `xml:"IsTruncated,omitempty"`
		NextMarker  string      `xml:"NextMarker,omitempty"`
		Owner       xmlOwner    `xml:"Owner"`
		Buckets     []xmlBucket `xml:"Buckets>Bucket"`
	}{Prefix: prefix, Marker: marker, Owner: owner(req.auth.acc.ID)}
	if req.q.Has("max-keys") {
		res.MaxKeys = maxKeys
	}
	if len(all) > maxKeys {
		all = all[:maxKeys]
		res.IsTruncated = true
		res.NextMarker = all[len(all)-1].name
	}
	for _, b := range all {
		res.Buckets = append(res.Buckets, xmlBucket{Name: b.name, Location: b.location,
			CreationDate: b.created.UTC().Format(ossTimeFormat), StorageClass: b.storageClass,
			Region: strings.TrimPrefix(b.location, "oss-")})
	}
	req.writeXML(res)
	return nil
}

// getBucketInfo answers every element aliyun-oss-go-sdk's BucketInfo reads
// (type.go). Values for features the emulator does not model are those of a
// new bucket on the service, as the OSS Go SDK v2 integration test
// (client_integration_bucket_basic_test.go) asserts them: AccessMonitor,
// TransferAcceleration and CrossRegionReplication "Disabled", ACL
// "private", an empty SSEAlgorithm; Versioning is absent until enabled.
func (o *ossService) getBucketInfo(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	type sseRule struct {
		SSEAlgorithm string `xml:"SSEAlgorithm"`
	}
	type info struct {
		Name                   string   `xml:"Name"`
		AccessMonitor          string   `xml:"AccessMonitor"`
		Location               string   `xml:"Location"`
		CreationDate           string   `xml:"CreationDate"`
		ExtranetEndpoint       string   `xml:"ExtranetEndpoint"`
		IntranetEndpoint       string   `xml:"IntranetEndpoint"`
		ACL                    string   `xml:"AccessControlList>Grant"`
		Redundancy             string   `xml:"DataRedundancyType"`
		Owner                  xmlOwner `xml:"Owner"`
		StorageClass           string   `xml:"StorageClass"`
		SSE                    sseRule  `xml:"ServerSideEncryptionRule"`
		TransferAcceleration   string   `xml:"TransferAcceleration"`
		CrossRegionReplication string   `xml:"CrossRegionReplication"`
	}
	req.writeXML(struct {
		XMLName xml.Name `xml:"BucketInfo"`
		Bucket  info     `xml:"Bucket"`
	}{Bucket: info{
		Name: b.name, AccessMonitor: "Disabled", Location: b.location,
		CreationDate:     b.created.UTC().Format(ossTimeFormat),
		ExtranetEndpoint: b.location + ".aliyuncs.com", IntranetEndpoint: b.location + "-internal.aliyuncs.com",
		ACL: bucketACL, Redundancy: b.redundancy, Owner: owner(b.owner), StorageClass: b.storageClass,
		TransferAcceleration: "Disabled", CrossRegionReplication: "Disabled",
	}})
	return nil
}

func (o *ossService) getBucketLocation(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	req.writeXML(struct {
		XMLName  xml.Name `xml:"LocationConstraint"`
		Location string   `xml:",chardata"`
	}{Location: b.location})
	return nil
}
