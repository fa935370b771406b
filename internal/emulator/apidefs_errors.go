package emulator

import "net/http"

// valueErrorCodes are the error codes the ECS API reference documents for a
// value outside a parameter's documented values or range, by "Action
// pattern"; the handlers return the same codes for the checks they do
// themselves. Other enum and range violations get InvalidParameter.
var valueErrorCodes = map[string]string{
	"CreateImage Architecture":                 "InvalidArchitecture.Malformed",
	"CreateImage DiskDeviceMapping.N.DiskType": "InvalidDiskType.ValueNotSupported",
	"ExportImage ImageFormat":                  "InvalidImageFormat.Malformed",
	"RunInstances SystemDisk.Category":         "InvalidSystemDiskCategory.ValueNotSupported",
	"RunInstances DataDisk.N.Category":         "InvalidDataDiskCategory.ValueNotSupported",
	"CreateSnapshot RetentionDays":             "InvalidRetentionDays.Malformed",
	"CopySnapshot RetentionDays":               "InvalidRetentionDays.Malformed",
	"ModifySnapshotCategory RetentionDays":     "InvalidRetentionDays.Malformed",
	"TagResources ResourceType":                "InvalidResourceType.NotFound",
	"UntagResources ResourceType":              "InvalidResourceType.NotFound",
	"ListTagResources ResourceType":            "InvalidResourceType.NotFound",
}

// valueError is the documented error of a value outside its definition.
func valueError(action, pattern, msg string) error {
	code, ok := valueErrorCodes[action+" "+pattern]
	if !ok {
		code = "InvalidParameter"
	}
	return apiErr(http.StatusBadRequest, code, msg)
}
