package main

import (
	"slices"
	"testing"
)

// Comments as the models phrase them (text after go/ast CommentGroup.Text).
func TestCommentRules(t *testing.T) {
	enum := "The category. Valid values:\n\n\t- cloud_essd: ESSD\n\n\t- cloud_auto (default): AutoPL\n\nexample:\n\ncloud_essd\n"
	if got, list := enumValues(enum); !slices.Equal(got, []string{"cloud_essd", "cloud_auto"}) || list {
		t.Errorf("enum: %v %v", got, list)
	}
	// CreateSnapshot's ResourceGroupId carries the Category comment; its
	// example gives it away.
	misplaced := "The snapshot type. Valid values:\n\n\t- Standard: standard\n\n\t- Flash: local\n\nexample:\n\nrg-bp67acfmxazb4p****\n"
	if got, _ := enumValues(misplaced); got != nil {
		t.Errorf("misplaced enum kept: %v", got)
	}
	csv := "Valid values:\n\n\t- Creating\n\n\t- Available\n\nSeparate the values with commas (,).\n\nexample:\n\nAvailable\n"
	if got, list := enumValues(csv); len(got) != 2 || !list {
		t.Errorf("comma list: %v %v", got, list)
	}
	ranges := "Valid values:\n\n\t- \\\\-1: forever\n\n\t- 1 to 65535: days\n"
	if got, _ := enumValues(ranges); got != nil {
		t.Errorf("bullets with ranges taken as enum: %v", got)
	}
	if lo, hi, ok := intRange("Valid values: 1 to 100. Default value: 10."); !ok || lo != 1 || hi != 100 {
		t.Errorf("range: %d %d %v", lo, hi, ok)
	}
	if n, ok := statedMaxN("The key of tag N. Valid values of N: 1 to 20."); !ok || n != 20 {
		t.Errorf("max N: %d %v", n, ok)
	}
	if !isRequired("The image ID.\n\nThis parameter is required.\n\nexample:\n\nm-1\n") {
		t.Error("standalone required marker missed")
	}
	// CreateDisk Size: required only without SnapshotId, said in prose.
	if isRequired("The size of the data disk. Unit: GiB. This parameter is required. Valid values for different disk categories:\n") {
		t.Error("inline prose taken as required")
	}
}
