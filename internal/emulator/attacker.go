package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// The attacker plays someone who holds the account's access keys (the
// ransomware case): with the official SDKs, signed like any client, through
// the emulator's public ECS and OSS endpoints, it tries in every region to
// unlock every locked snapshot, shorten every snapshot's retention, delete
// every image, snapshot, automatic snapshot policy and EBS enterprise
// snapshot policy (so that no new points are taken), and in OSS to delete
// every object (every version where the bucket lists versions), remove
// every bucket's WORM and access policy and delete every bucket. It reports
// what the service refused and what is still there afterwards: the proof
// that locks (and WORM) hold against the keys' owner.
//
//	POST /_emulator/attack  body {"access_key_id":"..."} (default: the default account)
//	                        -> 200 AttackReport

// AttackAttempt is one call the attacker made.
type AttackAttempt struct {
	Region string `json:"region"`
	Action string `json:"action"`
	Target string `json:"target"`
	// Code is the error code of a refused call, "" when it succeeded.
	Code string `json:"code,omitempty"`
}

// AttackSurvivor is one object that exists after the attack.
type AttackSurvivor struct {
	Region string `json:"region"`
	Kind   string `json:"kind"` // snapshot, image, policy, enterprise-policy, bucket, object
	ID     string `json:"id"`
}

// AttackReport is the outcome of an attack. Refused holds every call the
// service answered with an error code: a protection (a lock, WORM) or an
// action this emulator does not serve (NotImplemented); the code tells.
type AttackReport struct {
	Succeeded []AttackAttempt  `json:"succeeded"`
	Refused   []AttackAttempt  `json:"refused"`
	Survivors []AttackSurvivor `json:"survivors"`
}

// SurvivorIDs are the ids of the survivors of a kind.
func (r AttackReport) SurvivorIDs(kind string) []string {
	var out []string
	for _, s := range r.Survivors {
		if s.Kind == kind {
			out = append(out, s.ID)
		}
	}
	return out
}

// attacker holds the stolen keys and the report being written.
type attacker struct {
	s          *Server
	keyID, key string
	report     AttackReport
}

// Attack runs the attack with the keys of accessKeyID (an account the
// emulator knows) and returns its report. It only uses the public API, so
// it refuses nothing the service would not.
func (s *Server) Attack(accessKeyID string) (AttackReport, error) {
	acc, ok := s.accounts.lookup(accessKeyID)
	if !ok {
		return AttackReport{}, fmt.Errorf("no account has the access key id %q", accessKeyID)
	}
	a := &attacker{s: s, keyID: acc.KeyID, key: acc.Secret}
	regions, err := a.regions()
	if err != nil {
		return AttackReport{}, err
	}
	for _, region := range regions {
		if err := a.attackECS(region); err != nil {
			return a.report, err
		}
	}
	if err := a.attackOSS(); err != nil {
		return a.report, err
	}
	for _, region := range regions {
		if err := a.countECS(region); err != nil {
			return a.report, err
		}
	}
	return a.report, a.countOSS()
}

func (c *controlAPI) attack(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AccessKeyID string `json:"access_key_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		controlFail(w, http.StatusBadRequest, "attack: %v", err)
		return
	}
	if req.AccessKeyID == "" {
		req.AccessKeyID = DefaultAccessKeyID
	}
	report, err := c.s.Attack(req.AccessKeyID)
	if err != nil {
		controlFail(w, http.StatusBadRequest, "attack: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, report)
}

// try records one attempt: refused when the service answered with an
// error code; other errors (transport) end the attack.
func (a *attacker) try(region, action, target string, err error) error {
	at := AttackAttempt{Region: region, Action: action, Target: target}
	if err == nil {
		a.report.Succeeded = append(a.report.Succeeded, at)
		return nil
	}
	var se interface{ ErrorCode() string }
	var oe oss.ServiceError
	switch {
	case errors.As(err, &se):
		at.Code = se.ErrorCode()
	case errors.As(err, &oe):
		at.Code = oe.Code
	default:
		return fmt.Errorf("%s %s in %s: %w", action, target, region, err)
	}
	a.report.Refused = append(a.report.Refused, at)
	return nil
}

func (a *attacker) ecs(region string) (*ecs.Client, error) {
	c, err := ecs.NewClientWithAccessKey(region, a.keyID, a.key)
	if err != nil {
		return nil, err
	}
	c.Domain = a.s.Addr() // plain HTTP, as to any endpoint override
	return c, nil
}

func (a *attacker) regions() ([]string, error) {
	c, err := a.ecs("cn-beijing")
	if err != nil {
		return nil, err
	}
	resp, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if err != nil {
		return nil, fmt.Errorf("DescribeRegions: %w", err)
	}
	var out []string
	for _, r := range resp.Regions.Region {
		out = append(out, r.RegionId)
	}
	sort.Strings(out)
	return out, nil
}

// lockCall sends a lock action (no typed request in the v1 SDK).
func lockCall(c *ecs.Client, region, action string, params map[string]string) (*responses.CommonResponse, error) {
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Product, req.Version, req.ApiName = "Ecs", "2014-05-26", action
	req.Domain = c.Domain
	req.QueryParams["RegionId"] = region
	for k, v := range params {
		req.QueryParams[k] = v
	}
	return c.ProcessCommonRequest(req)
}

// ebsCall sends an EBS 2021-07-30 action (no typed client in the v1 SDK).
func ebsCall(c *ecs.Client, region, action string, params map[string]string) (*responses.CommonResponse, error) {
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Product, req.Version, req.ApiName = "ebs", ebsAPIVersion, action
	req.Domain = c.Domain
	req.QueryParams["RegionId"] = region
	for k, v := range params {
		req.QueryParams[k] = v
	}
	return c.ProcessCommonRequest(req)
}

// enterprisePolicies lists the region's enterprise snapshot policies.
func enterprisePolicies(c *ecs.Client, region string) ([]string, error) {
	var out []string
	for page := 1; ; page++ {
		resp, err := ebsCall(c, region, "DescribeEnterpriseSnapshotPolicy",
			map[string]string{"PageNumber": fmt.Sprint(page), "PageSize": "100"})
		if err != nil {
			return nil, fmt.Errorf("DescribeEnterpriseSnapshotPolicy: %w", err)
		}
		var body struct {
			Policies []struct {
				PolicyID string `json:"PolicyId"`
			} `json:"Policies"`
		}
		if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
			return nil, fmt.Errorf("DescribeEnterpriseSnapshotPolicy: %w", err)
		}
		for _, p := range body.Policies {
			out = append(out, p.PolicyID)
		}
		if len(body.Policies) < 100 {
			return out, nil
		}
	}
}

func allSnapshots(c *ecs.Client) ([]ecs.Snapshot, error) {
	var out []ecs.Snapshot
	for page := 1; ; page++ {
		req := ecs.CreateDescribeSnapshotsRequest()
		req.PageNumber, req.PageSize, req.Status = requests.NewInteger(page), requests.NewInteger(100), "all"
		resp, err := c.DescribeSnapshots(req)
		if err != nil {
			return nil, fmt.Errorf("DescribeSnapshots: %w", err)
		}
		out = append(out, resp.Snapshots.Snapshot...)
		if len(resp.Snapshots.Snapshot) < 100 {
			return out, nil
		}
	}
}

func ownImages(c *ecs.Client) ([]string, error) {
	var out []string
	for page := 1; ; page++ {
		req := ecs.CreateDescribeImagesRequest()
		req.ImageOwnerAlias, req.PageNumber, req.PageSize = "self", requests.NewInteger(page), requests.NewInteger(100)
		req.Status = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated" // every status
		resp, err := c.DescribeImages(req)
		if err != nil {
			return nil, fmt.Errorf("DescribeImages: %w", err)
		}
		for _, im := range resp.Images.Image {
			out = append(out, im.ImageId)
		}
		if len(resp.Images.Image) < 100 {
			return out, nil
		}
	}
}

func policies(c *ecs.Client) ([]string, error) {
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	req.PageSize = requests.NewInteger(100)
	resp, err := c.DescribeAutoSnapshotPolicyEx(req)
	if err != nil {
		return nil, fmt.Errorf("DescribeAutoSnapshotPolicyEx: %w", err)
	}
	var out []string
	for _, p := range resp.AutoSnapshotPolicies.AutoSnapshotPolicy {
		out = append(out, p.AutoSnapshotPolicyId)
	}
	return out, nil
}

// attackECS works on one region: unlock, shorten, then delete images (so
// their snapshots are free), snapshots and policies.
func (a *attacker) attackECS(region string) error {
	c, err := a.ecs(region)
	if err != nil {
		return err
	}
	snaps, err := allSnapshots(c)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		_, err := lockCall(c, region, "UnlockSnapshot", map[string]string{"SnapshotId": s.SnapshotId})
		if err := a.try(region, "UnlockSnapshot", s.SnapshotId, err); err != nil {
			return err
		}
		mod := ecs.CreateModifySnapshotAttributeRequest()
		mod.SnapshotId, mod.RetentionDays = s.SnapshotId, requests.NewInteger(1)
		_, err = c.ModifySnapshotAttribute(mod)
		if err := a.try(region, "ModifySnapshotAttribute RetentionDays=1", s.SnapshotId, err); err != nil {
			return err
		}
	}
	images, err := ownImages(c)
	if err != nil {
		return err
	}
	for _, id := range images {
		del := ecs.CreateDeleteImageRequest()
		del.ImageId, del.Force = id, requests.NewBoolean(true)
		_, err := c.DeleteImage(del)
		if err := a.try(region, "DeleteImage", id, err); err != nil {
			return err
		}
	}
	for _, s := range snaps {
		del := ecs.CreateDeleteSnapshotRequest()
		del.SnapshotId, del.Force = s.SnapshotId, requests.NewBoolean(true)
		_, err := c.DeleteSnapshot(del)
		if err := a.try(region, "DeleteSnapshot", s.SnapshotId, err); err != nil {
			return err
		}
	}
	pols, err := policies(c)
	if err != nil {
		return err
	}
	for _, id := range pols {
		del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
		del.AutoSnapshotPolicyId = id
		_, err := c.DeleteAutoSnapshotPolicy(del)
		if err := a.try(region, "DeleteAutoSnapshotPolicy", id, err); err != nil {
			return err
		}
	}
	esps, err := enterprisePolicies(c, region)
	if err != nil {
		return err
	}
	for _, id := range esps {
		_, err := ebsCall(c, region, "DeleteEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id})
		if err := a.try(region, "DeleteEnterpriseSnapshotPolicy", id, err); err != nil {
			return err
		}
	}
	return nil
}

func (a *attacker) countECS(region string) error {
	c, err := a.ecs(region)
	if err != nil {
		return err
	}
	snaps, err := allSnapshots(c)
	if err != nil {
		return err
	}
	for _, s := range snaps {
		a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: region, Kind: "snapshot", ID: s.SnapshotId})
	}
	images, err := ownImages(c)
	if err != nil {
		return err
	}
	for _, id := range images {
		a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: region, Kind: "image", ID: id})
	}
	pols, err := policies(c)
	if err != nil {
		return err
	}
	for _, id := range pols {
		a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: region, Kind: "policy", ID: id})
	}
	esps, err := enterprisePolicies(c, region)
	if err != nil {
		return err
	}
	for _, id := range esps {
		a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: region, Kind: "enterprise-policy", ID: id})
	}
	return nil
}

func (a *attacker) oss() (*oss.Client, error) {
	return oss.New(a.s.URL(), a.keyID, a.key)
}

// objectVersions lists every version of every object as key and version id;
// a bucket that does not answer ListObjectVersions (no versioning here) is
// listed with ListObjects, with empty version ids.
func objectVersions(b *oss.Bucket) ([][2]string, error) {
	var out [][2]string
	keyMarker, versionMarker := "", ""
	for {
		res, err := b.ListObjectVersions(oss.KeyMarker(keyMarker), oss.VersionIdMarker(versionMarker))
		if err != nil {
			break
		}
		for _, v := range res.ObjectVersions {
			out = append(out, [2]string{v.Key, v.VersionId})
		}
		for _, m := range res.ObjectDeleteMarkers {
			out = append(out, [2]string{m.Key, m.VersionId})
		}
		if !res.IsTruncated {
			return out, nil
		}
		keyMarker, versionMarker = res.NextKeyMarker, res.NextVersionIdMarker
	}
	out = out[:0]
	marker := ""
	for {
		res, err := b.ListObjects(oss.Marker(marker), oss.MaxKeys(1000))
		if err != nil {
			return nil, fmt.Errorf("ListObjects %s: %w", b.BucketName, err)
		}
		for _, o := range res.Objects {
			out = append(out, [2]string{o.Key, ""})
		}
		if !res.IsTruncated {
			return out, nil
		}
		marker = res.NextMarker
	}
}

func (a *attacker) buckets(c *oss.Client) ([]string, error) {
	res, err := c.ListBuckets(oss.MaxKeys(1000))
	if err != nil {
		return nil, fmt.Errorf("ListBuckets: %w", err)
	}
	var out []string
	for _, b := range res.Buckets {
		out = append(out, b.Name)
	}
	return out, nil
}

func (a *attacker) attackOSS() error {
	c, err := a.oss()
	if err != nil {
		return err
	}
	names, err := a.buckets(c)
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := c.Bucket(name)
		if err != nil {
			return err
		}
		objects, err := objectVersions(b)
		if err != nil {
			return err
		}
		for _, o := range objects {
			var opts []oss.Option
			target := name + "/" + o[0]
			if o[1] != "" {
				opts = append(opts, oss.VersionId(o[1]))
				target += "?versionId=" + o[1]
			}
			if err := a.try("oss", "DeleteObject", target, b.DeleteObject(o[0], opts...)); err != nil {
				return err
			}
		}
		if err := a.try("oss", "AbortBucketWorm", name, c.AbortBucketWorm(name)); err != nil {
			return err
		}
		if err := a.try("oss", "DeleteBucketPolicy", name, c.DeleteBucketPolicy(name)); err != nil {
			return err
		}
		if err := a.try("oss", "DeleteBucket", name, c.DeleteBucket(name)); err != nil {
			return err
		}
	}
	return nil
}

func (a *attacker) countOSS() error {
	c, err := a.oss()
	if err != nil {
		return err
	}
	names, err := a.buckets(c)
	if err != nil {
		return err
	}
	for _, name := range names {
		a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: "oss", Kind: "bucket", ID: name})
		b, err := c.Bucket(name)
		if err != nil {
			return err
		}
		objects, err := objectVersions(b)
		if err != nil {
			return err
		}
		for _, o := range objects {
			id := name + "/" + o[0]
			if o[1] != "" {
				id += "?versionId=" + o[1]
			}
			a.report.Survivors = append(a.report.Survivors, AttackSurvivor{Region: "oss", Kind: "object", ID: id})
		}
	}
	return nil
}
