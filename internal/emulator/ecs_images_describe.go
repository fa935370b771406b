package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

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
	sortByCreated(custom, func(im *image) (string, int64) { return im.ID, im.Created.UnixNano() })
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
