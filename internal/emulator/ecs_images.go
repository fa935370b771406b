package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Custom images: CreateImage, DescribeImages, DeleteImage,
// ModifyImageAttribute (copies: ecs_images_copy.go, sharing:
// ecs_images_share.go). Public images come from publicImageSeeds.

type image struct {
	ID           string
	AccountID    string
	RegionID     string
	Name         string
	Description  string
	Architecture string
	Platform     string
	OSType       string
	OSName       string
	Family       string
	SizeGiB      int
	Created      time.Time
	// state: Creating -> Available | CreateFailed; a copy starts Waiting.
	state      lifecycle
	deprecated bool
	Mappings   []imageMapping
	// Shared maps account ids the image is shared with to when.
	Shared map[string]time.Time

	IsCopied       bool
	SourceImageID  string
	SourceRegionID string
	Encrypted      bool
	KMSKeyID       string
	Tags           map[string]string
}

type imageMapping struct {
	SnapshotID string
	SizeGiB    int
	Type       string // system | data
	Device     string
}

func (im *image) status(now time.Time) string {
	s := im.state.at(now)
	if s == "Available" && im.deprecated {
		return "Deprecated"
	}
	return s
}

// copying reports whether a CopyImage into this image is under way.
func (im *image) copying(now time.Time) bool {
	s := im.state.at(now)
	return im.IsCopied && (s == "Waiting" || s == "Creating")
}

func (st *snapStore) registerImages() {
	e := st.e
	e.register("CreateImage", st.createImage)
	e.register("DescribeImages", st.describeImages)
	e.register("CopyImage", st.copyImage)
	e.register("CancelCopyImage", st.cancelCopyImage)
	e.register("DeleteImage", st.deleteImage)
	e.register("ModifyImageAttribute", st.modifyImageAttribute)
	e.register("ModifyImageSharePermission", st.modifyImageSharePermission)
	e.register("DescribeImageSharePermission", st.describeImageSharePermission)
	e.registerTagType("image", tagType{
		get: func(c *rpcCall, id string) (map[string]string, bool) {
			im, err := st.ownImage(c, id)
			if err != nil {
				return nil, false
			}
			return im.Tags, true
		},
		list: func(c *rpcCall) []string {
			var ids []string
			for _, im := range st.images {
				if im.AccountID == c.AccountID && im.RegionID == c.Region {
					ids = append(ids, im.ID)
				}
			}
			sort.Strings(ids)
			return ids
		},
	})
	// RunInstances boots custom images of the account and images shared with
	// it, besides the public catalog.
	e.hooks.image = func(accountID, region, id string) (imageInfo, bool) {
		st.catchUp(e.s.now())
		im, ok := st.images[id]
		if !ok {
			return e.publicImage(accountID, region, id)
		}
		if im.RegionID != region || im.AccountID != accountID && im.Shared[accountID].IsZero() {
			return imageInfo{}, false
		}
		info := imageInfo{ID: im.ID, SizeGiB: im.SizeGiB, OSName: im.OSName, OSType: im.OSType, Status: im.status(e.s.now())}
		for _, m := range im.Mappings {
			if m.Type == "data" {
				info.DataDiskSnapshots = append(info.DataDiskSnapshots, imageDataDisk{SnapshotID: m.SnapshotID, SizeGiB: m.SizeGiB, Device: m.Device})
			}
		}
		return info, true
	}
}

// ownImage finds a custom image of the caller in the call's region.
func (st *snapStore) ownImage(c *rpcCall, id string) (*image, error) {
	im, ok := st.images[id]
	if !ok || im.AccountID != c.AccountID || im.RegionID != c.Region {
		return nil, notFound("InvalidImageId.NotFound", "The specified ImageId does not exist.")
	}
	return im, nil
}

func isPublicImage(id string) bool {
	for _, p := range publicImageSeeds {
		if p.ID == id {
			return true
		}
	}
	return false
}

// validImageName applies the API's naming rule and per-region uniqueness.
func (st *snapStore) validImageName(accountID, region, name string) error {
	if name == "" {
		return nil
	}
	lower := strings.ToLower(name)
	first, _ := utf8.DecodeRuneInString(name)
	if len(name) < 2 || len(name) > 128 || !unicode.IsLetter(first) || strings.HasPrefix(lower, "aliyun") ||
		strings.HasPrefix(lower, "acs:") || strings.Contains(lower, "http://") || strings.Contains(lower, "https://") {
		return apiErr(http.StatusBadRequest, "InvalidImageName.Malformed", "The specified Image name is wrongly formed.")
	}
	for _, im := range st.images {
		if im.AccountID == accountID && im.RegionID == region && im.Name == name {
			return apiErr(http.StatusBadRequest, "InvalidImageName.Duplicated", "The specified Image name has already bean used.")
		}
	}
	return nil
}

func (st *snapStore) createImage(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	snapID, instID := c.str("SnapshotId"), c.str("InstanceId")
	mappings := c.indexed("DiskDeviceMapping")
	name := c.str("ImageName")
	arch := c.str("Architecture")
	tags := c.tags()
	if err := c.err(); err != nil {
		return nil, err
	}
	sources := 0
	for _, set := range []bool{snapID != "", instID != "", len(mappings) > 0} {
		if set {
			sources++
		}
	}
	if sources == 0 {
		return nil, errMissingParam("SnapshotId")
	}
	if sources > 1 {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Conflict",
			"Only one of SnapshotId, InstanceId and DiskDeviceMapping can be specified.")
	}
	switch arch {
	case "":
		arch = "x86_64"
	case "x86_64", "i386", "arm64":
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidArchitecture.Malformed", "The specified Architecture is not valid.")
	}
	prior, commit, err := st.idempotent(c)
	if err != nil {
		return nil, err
	}
	if prior != "" {
		return ecs.CreateImageResponse{RequestId: c.RequestID, ImageId: prior}, nil
	}
	if err := st.validImageName(c.AccountID, c.Region, name); err != nil {
		return nil, err
	}
	r := c.region()
	im := &image{
		ID: newID("m", r.code), AccountID: c.AccountID, RegionID: c.Region,
		Name: name, Description: c.str("Description"), Architecture: arch,
		Platform: c.str("Platform"), OSType: "linux", Family: c.str("ImageFamily"),
		Created: c.now, Shared: map[string]time.Time{}, Tags: map[string]string{},
	}
	// usable checks a source snapshot.
	usable := func(id string) (*snapshot, error) {
		s, err := st.snapshotOf(c, id)
		if err != nil {
			return nil, err
		}
		if s.status(c.now) != "accomplished" {
			return nil, apiErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
		}
		if s.Category == "archive" {
			return nil, apiErr(http.StatusForbidden, "OperationDenied.InvalidSnapshotCategory", "An archive snapshot cannot be used to create an image.")
		}
		return s, nil
	}
	switch {
	case snapID != "":
		s, err := usable(snapID)
		if err != nil {
			return nil, err
		}
		im.Mappings = []imageMapping{{SnapshotID: s.ID, SizeGiB: s.SourceDiskSize, Type: "system", Device: "/dev/xvda"}}
	case len(mappings) > 0:
		for i, m := range mappings {
			mp := imageMapping{SnapshotID: m["SnapshotId"], Type: m["DiskType"], Device: m["Device"]}
			if mp.Type == "" {
				mp.Type = "data"
				if i == 0 {
					mp.Type = "system"
				}
			}
			switch {
			case mp.Type != "system" && mp.Type != "data":
				return nil, apiErr(http.StatusBadRequest, "InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.")
			case i == 0 && mp.Type != "system":
				return nil, apiErr(http.StatusBadRequest, "OperationDenied",
					"The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot.")
			case i > 0 && mp.Type == "system":
				return nil, apiErr(http.StatusBadRequest, "OperationDenied",
					"The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.")
			}
			if mp.SnapshotID != "" {
				s, err := usable(mp.SnapshotID)
				if err != nil {
					return nil, err
				}
				mp.SizeGiB = s.SourceDiskSize
			}
			if sz := m["Size"]; sz != "" {
				n, err := strconv.Atoi(sz)
				if err != nil || n < 1 || n < mp.SizeGiB {
					return nil, apiErr(http.StatusBadRequest, "InvalidSize.ValueNotSupported",
						"The specified parameter DiskDeviceMapping.n.Size beyond the permitted range.")
				}
				mp.SizeGiB = n
			}
			// The system disk comes from a snapshot; a data disk may be an
			// empty one of Size GiB.
			if mp.SnapshotID == "" && (i == 0 || mp.SizeGiB == 0) {
				return nil, errMissingParam(fmt.Sprintf("DiskDeviceMapping.%d.SnapshotId", i+1))
			}
			if mp.Device == "" {
				mp.Device = "/dev/xvd" + string(rune('a'+i))
			}
			im.Mappings = append(im.Mappings, mp)
		}
	default:
		inst, ok := r.instances[instID]
		if !ok {
			return nil, notFound("InvalidInstanceId.NotFound", "The specified instance does not exist.")
		}
		if s := inst.Status.at(c.now); s != "Running" && s != "Stopped" {
			return nil, apiErr(http.StatusBadRequest, "IncorrectInstanceStatus", "The current status of the instance does not support this operation.")
		}
		im.OSName, im.OSType = inst.OSName, inst.OSType
		if im.Platform == "" {
			im.Platform = st.platformOf(inst.ImageID)
		}
		for _, did := range inst.DiskIDs {
			d := r.disks[did]
			if d == nil {
				continue
			}
			// The image's own snapshots, taken while the image is created.
			s := newSnapshot(newID("s", r.code), c.now, c.durations().ImageCreate, false)
			s.fromDisk(d)
			s.AccountID = c.AccountID
			s.Description = "Created for image " + im.ID
			s.ImageID = im.ID
			st.snapshots[s.ID] = s
			im.Mappings = append(im.Mappings, imageMapping{SnapshotID: s.ID, SizeGiB: d.SizeGiB, Type: d.Type, Device: d.Device})
		}
	}
	im.SizeGiB = im.Mappings[0].SizeGiB
	if im.Platform == "" {
		im.Platform = "Others Linux"
	}
	if im.OSName == "" {
		im.OSName = im.Platform
	}
	if strings.HasPrefix(strings.ToLower(im.Platform), "windows") {
		im.OSType = "windows"
	}
	for _, t := range tags {
		im.Tags[t.Key] = t.Value
	}
	final := "Available"
	if st.takeFailure(FailCreateImage) {
		final = "CreateFailed"
	}
	im.state.begin(c.now, c.durations().ImageCreate, final, "Creating")
	st.images[im.ID] = im
	st.e.created(im.ID)
	commit(im.ID)
	return ecs.CreateImageResponse{RequestId: c.RequestID, ImageId: im.ID}, nil
}

// platformOf is the Platform of a public or custom image, "" if unknown.
func (st *snapStore) platformOf(imageID string) string {
	for _, p := range publicImageSeeds {
		if p.ID == imageID {
			return p.Platform
		}
	}
	if im, ok := st.images[imageID]; ok {
		return im.Platform
	}
	return ""
}

// instancesUsing lists instances (of any account) in the region booted from
// the image.
func (st *snapStore) instancesUsing(region, imageID string) []string {
	var ids []string
	for _, accID := range sortedKeys(st.e.accounts) {
		r := st.e.accounts[accID].regions[region]
		if r == nil {
			continue
		}
		for _, id := range sortedKeys(r.instances) {
			if r.instances[id].ImageID == imageID {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// exporting reports whether an export task of the image is under way.
func (st *snapStore) exporting(imageID string, now time.Time) bool {
	for _, t := range st.tasks {
		if t.Action == "ExportImage" && t.ImageID == imageID && !t.state.done(now) {
			return true
		}
	}
	return false
}

func (st *snapStore) imageJSON(im *image, viewer string, now time.Time) ecs.Image {
	status := im.status(now)
	progress := im.state.progress(now)
	if status == "CreateFailed" {
		progress = 0
	}
	owner, _ := strconv.ParseInt(im.AccountID, 10, 64)
	alias := "self"
	if im.AccountID != viewer {
		alias = "others"
	}
	usage := "none"
	if len(st.instancesUsing(im.RegionID, im.ID)) > 0 {
		usage = "instance"
	}
	out := ecs.Image{
		ImageId:              im.ID,
		ImageName:            im.Name,
		Description:          im.Description,
		ImageOwnerAlias:      alias,
		ImageOwnerId:         owner,
		Architecture:         im.Architecture,
		Platform:             im.Platform,
		OSType:               im.OSType,
		OSName:               im.OSName,
		OSNameEn:             im.OSName,
		ImageFamily:          im.Family,
		Size:                 im.SizeGiB,
		Status:               status,
		Progress:             fmt.Sprintf("%d%%", progress),
		CreationTime:         isoTimeSec(im.Created),
		IsCopied:             im.IsCopied,
		IsSelfShared:         strconv.FormatBool(len(im.Shared) > 0),
		IsSupportIoOptimized: true,
		IsSupportCloudinit:   true,
		Usage:                usage,
		BootMode:             "BIOS",
	}
	for _, m := range im.Mappings {
		out.DiskDeviceMappings.DiskDeviceMapping = append(out.DiskDeviceMappings.DiskDeviceMapping, ecs.DiskDeviceMapping{
			SnapshotId: m.SnapshotID,
			Size:       strconv.Itoa(m.SizeGiB),
			Type:       m.Type,
			Device:     m.Device,
			Format:     "",
			Progress:   fmt.Sprintf("%d%%", progress),
			Encrypted:  im.Encrypted,
		})
	}
	out.Tags.Tag = apiTags(im.Tags)
	return out
}

func publicImageJSON(p PublicImageSeed, created time.Time) ecs.Image {
	out := ecs.Image{
		ImageId: p.ID, ImageName: p.Name, ImageOwnerAlias: "system", Architecture: p.Arch,
		Platform: p.Platform, OSType: p.OSType, OSName: p.OSName, OSNameEn: p.OSName, Size: p.SizeGiB,
		Status: "Available", Progress: "100%", CreationTime: isoTimeSec(created), IsPublic: true,
		IsSupportIoOptimized: true, IsSupportCloudinit: true, Usage: "instance", BootMode: "BIOS",
		IsSelfShared: "false",
	}
	out.DiskDeviceMappings.DiskDeviceMapping = []ecs.DiskDeviceMapping{{Size: strconv.Itoa(p.SizeGiB), Type: "system", Device: "/dev/xvda"}}
	out.Tags.Tag = []ecs.Tag{}
	return out
}

// publicImageEpoch is the creation time reported for public images.
var publicImageEpoch = time.Date(2024, 8, 19, 0, 0, 0, 0, time.UTC)

func (st *snapStore) describeImages(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	// ImageId is "The ID of the image" (ecs-20140526/v7
	// DescribeImagesRequest): one id, no list form. Stricter than a service
	// that might read a list: a list is refused.
	var ids []string
	if id := c.str("ImageId"); strings.Contains(id, ",") {
		return nil, errInvalidParam("ImageId", id)
	} else if id != "" {
		ids = []string{id}
	}
	name, alias, arch, osType := c.str("ImageName"), c.str("ImageOwnerAlias"), c.str("Architecture"), c.str("OSType")
	snapID, family := c.str("SnapshotId"), c.str("ImageFamily")
	statuses := []string{"Available"}
	if s := c.str("Status"); s != "" {
		statuses = strings.Split(s, ",")
	}
	wantTags := c.tags()
	number, size := c.page(10, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	switch alias {
	case "", "system", "self", "others", "marketplace":
	default:
		return nil, errInvalidParam("ImageOwnerAlias", alias)
	}
	keep := func(id, imName, imArch, imOS, status, imFamily string) bool {
		return (ids == nil || contains(ids, id)) && (name == "" || imName == name) &&
			(arch == "" || imArch == arch) && (osType == "" || imOS == osType) &&
			(family == "" || imFamily == family) && contains(statuses, status)
	}
	var custom []*image
	for _, im := range st.images {
		if im.RegionID != c.Region {
			continue
		}
		own := im.AccountID == c.AccountID
		shared := !im.Shared[c.AccountID].IsZero()
		if !own && !shared || alias == "self" && !own || alias == "others" && !shared || alias == "system" || alias == "marketplace" {
			continue
		}
		if !keep(im.ID, im.Name, im.Architecture, im.OSType, im.status(c.now), im.Family) || !tagsMatch(im.Tags, wantTags) {
			continue
		}
		if snapID != "" {
			found := false
			for _, m := range im.Mappings {
				found = found || m.SnapshotID == snapID
			}
			if !found {
				continue
			}
		}
		if own && st.e.hidden(im.ID) {
			continue
		}
		custom = append(custom, im)
	}
	sort.Slice(custom, func(i, j int) bool {
		if !custom[i].Created.Equal(custom[j].Created) {
			return custom[i].Created.After(custom[j].Created)
		}
		return custom[i].ID < custom[j].ID
	})
	all := make([]ecs.Image, 0, len(custom))
	for _, im := range custom {
		all = append(all, st.imageJSON(im, c.AccountID, c.now))
	}
	if (alias == "" || alias == "system") && snapID == "" && len(wantTags) == 0 {
		for _, p := range publicImageSeeds {
			if keep(p.ID, p.Name, p.Arch, p.OSType, "Available", "") {
				all = append(all, publicImageJSON(p, publicImageEpoch))
			}
		}
	}
	resp := ecs.DescribeImagesResponse{RequestId: c.RequestID, RegionId: c.Region, TotalCount: len(all), PageNumber: number, PageSize: size}
	resp.Images.Image = pageOf(all, number, size)
	return resp, nil
}

func (st *snapStore) deleteImage(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("ImageId")
	force := c.bool("Force")
	if id == "" {
		return nil, errMissingParam("ImageId")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	resp := ecs.DeleteImageResponse{RequestId: c.RequestID}
	if isPublicImage(id) {
		return nil, apiErr(http.StatusForbidden, "OperationDenied", "Public images cannot be deleted.")
	}
	im, ok := st.images[id]
	if !ok || im.AccountID != c.AccountID || im.RegionID != c.Region {
		// The DeleteImage reference says a missing image "is ignored" and
		// lists 404 InvalidImageId.NotFound in its error codes: answer the
		// stricter of the two, which a client must handle anyway.
		return nil, notFound("InvalidImageId.NotFound", "The specified ImageId does not exist.")
	}
	if im.copying(c.now) {
		return nil, apiErr(http.StatusForbidden, "OperationDenied.ImageCopying", "The Image is coping.")
	}
	if st.exporting(im.ID, c.now) {
		return nil, apiErr(http.StatusForbidden, "ImageIsExporting", "The specified Image is exporting. Please cancel task first.")
	}
	if len(im.Shared) > 0 {
		return nil, apiErr(http.StatusForbidden, "ImageUseShared", "The specified image has been shared to others.")
	}
	if !force && len(st.instancesUsing(im.RegionID, im.ID)) > 0 {
		return nil, apiErr(http.StatusForbidden, "ImageUsingByInstance", "The specified image has been used to create instances.")
	}
	st.dropImage(im)
	return resp, nil
}

func (st *snapStore) modifyImageAttribute(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("ImageId")
	if id == "" {
		return nil, errMissingParam("ImageId")
	}
	im, err := st.ownImage(c, id)
	if err != nil {
		return nil, err
	}
	if c.has("ImageName") && c.str("ImageName") != im.Name {
		if err := st.validImageName(c.AccountID, c.Region, c.str("ImageName")); err != nil {
			return nil, err
		}
	}
	switch c.str("Status") {
	case "":
	case "Deprecated":
		im.deprecated = true
	case "Available":
		im.deprecated = false
	default:
		return nil, errInvalidParam("Status", c.str("Status"))
	}
	if c.has("ImageName") {
		im.Name = c.str("ImageName")
	}
	if c.has("Description") {
		im.Description = c.str("Description")
	}
	if c.has("ImageFamily") {
		im.Family = c.str("ImageFamily")
	}
	return ecs.ModifyImageAttributeResponse{RequestId: c.RequestID}, nil
}
