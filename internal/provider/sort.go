package provider

import (
	"slices"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func sortDisks(d []ecs.Disk) {
	slices.SortFunc(d, func(a, b ecs.Disk) int { return strings.Compare(a.DiskId, b.DiskId) })
}
