package emulator

import "strings"

// The RAM action and resource ARN of each call, shaped after the RAM
// references (ECS "RAM authorization" and each API's "Authorization
// information"; OSS "Grant access to OSS by using RAM policies"; STS
// "FAQ about RAM roles and STS tokens"). An action touching several
// resources is checked against the first only; which of them the real
// service checks per parameter is not documented.

// ramEBSVersion is the version of the EBS API (enterprise snapshot
// policies), served on the same RPC listener when it is registered.
const ramEBSVersion = "2021-07-30"

// ecsRAMResource is the resource type an ECS action works on and the
// parameter naming the resource ("" for list calls: type/*).
type ecsRAMResource struct{ typ, idParam string }

var ecsRAMResources = map[string]ecsRAMResource{
	"DescribeDisks":                {"disk", ""},
	"DescribeSnapshots":            {"snapshot", ""},
	"ModifySnapshotAttribute":      {"snapshot", "SnapshotId"},
	"ModifySnapshotCategory":       {"snapshot", "SnapshotId"},
	"DeleteSnapshot":               {"snapshot", "SnapshotId"},
	"CopySnapshot":                 {"snapshot", "SnapshotId"},
	"LockSnapshot":                 {"snapshot", "SnapshotId"},
	"UnlockSnapshot":               {"snapshot", "SnapshotId"},
	"CreateSnapshot":               {"disk", "DiskId"},
	"CreateAutoSnapshotPolicy":     {"snapshotpolicy", ""},
	"DescribeAutoSnapshotPolicyEx": {"snapshotpolicy", ""},
	"ModifyAutoSnapshotPolicyEx":   {"snapshotpolicy", "autoSnapshotPolicyId"},
	"DeleteAutoSnapshotPolicy":     {"snapshotpolicy", "autoSnapshotPolicyId"},
	"ApplyAutoSnapshotPolicy":      {"snapshotpolicy", "autoSnapshotPolicyId"},
	"CancelAutoSnapshotPolicy":     {"snapshotpolicy", ""},
	"DescribeImages":               {"image", ""},
	"CreateImage":                  {"image", ""},
	"CopyImage":                    {"image", "ImageId"},
	"CancelCopyImage":              {"image", "ImageId"},
	"DeleteImage":                  {"image", "ImageId"},
	"ModifyImageAttribute":         {"image", "ImageId"},
	"ModifyImageSharePermission":   {"image", "ImageId"},
	"DescribeImageSharePermission": {"image", "ImageId"},
	"ExportImage":                  {"image", "ImageId"},
	"DescribeInstances":            {"instance", ""},
	"RunInstances":                 {"instance", ""},
	"StartInstance":                {"instance", "InstanceId"},
	"StopInstance":                 {"instance", "InstanceId"},
	"RebootInstance":               {"instance", "InstanceId"},
	"DeleteInstance":               {"instance", "InstanceId"},
	"ModifyInstanceAttribute":      {"instance", "InstanceId"},
	"RunCommand":                   {"instance", "InstanceId.1"},
	"CreateDisk":                   {"disk", ""},
	"DeleteDisk":                   {"disk", "DiskId"},
}

// rpcRAMRequest is the RAM action and resource of an ECS or STS call; ok is
// false for calls RAM does not authorise (GetCallerIdentity).
func rpcRAMRequest(accountID string, params map[string]string) (action, resource string, ok bool) {
	name := params["Action"]
	switch params["Version"] {
	case stsAPIVersion:
		if name != "AssumeRole" {
			return "", "", false
		}
		return "sts:AssumeRole", params["RoleArn"], true
	case ramEBSVersion:
		// EBS API pages' "RAM authorization" (e.g. UpdateEnterpriseSnapshotPolicy):
		// acs:ebs:{#regionId}:{#accountId}:enterprisesnapshotpolicy/{#PolicyId}.
		id := params["PolicyId"]
		if id == "" {
			id = "*"
		}
		return "ebs:" + name, "acs:ebs:" + params["RegionId"] + ":" + accountID + ":enterprisesnapshotpolicy/" + id, true
	}
	action = "ecs:" + name
	prefix := "acs:ecs:" + params["RegionId"] + ":" + accountID + ":"
	switch name {
	case "TagResources", "UntagResources", "ListTagResources":
		id := params["ResourceId.1"]
		if id == "" {
			id = "*"
		}
		return action, prefix + strings.ToLower(params["ResourceType"]) + "/" + id, true
	}
	res, typed := ecsRAMResources[name]
	if !typed {
		return action, "*", true // no resource-level authorisation
	}
	id := "*"
	if res.idParam != "" && params[res.idParam] != "" {
		id = params[res.idParam]
	}
	return action, prefix + res.typ + "/" + id, true
}

// ossRAMActions maps the emulator's OSS operations to RAM actions. HEAD and
// metadata reads need oss:GetObject; the parts of a multipart upload need
// oss:PutObject.
var ossRAMActions = map[string]string{
	"ListBuckets":             "oss:ListBuckets",
	"PutBucket":               "oss:PutBucket",
	"DeleteBucket":            "oss:DeleteBucket",
	"GetBucketInfo":           "oss:GetBucketInfo",
	"GetBucketLocation":       "oss:GetBucketLocation",
	"GetBucketAcl":            "oss:GetBucketAcl",
	"ListObjects":             "oss:ListObjects",
	"ListObjectsV2":           "oss:ListObjects",
	"HeadBucket":              "oss:GetBucketInfo",
	"ListMultipartUploads":    "oss:ListMultipartUploads",
	"GetObject":               "oss:GetObject",
	"HeadObject":              "oss:GetObject",
	"GetObjectMeta":           "oss:GetObject",
	"GetObjectAcl":            "oss:GetObjectAcl",
	"PutObject":               "oss:PutObject",
	"CopyObject":              "oss:PutObject",
	"InitiateMultipartUpload": "oss:PutObject",
	"UploadPart":              "oss:PutObject",
	"UploadPartCopy":          "oss:PutObject",
	"CompleteMultipartUpload": "oss:PutObject",
	"AbortMultipartUpload":    "oss:AbortMultipartUpload",
	"ListParts":               "oss:ListParts",
	"DeleteObject":            "oss:DeleteObject",
	"DeleteObjects":           "oss:DeleteObject",
}

// ossRAMRequest is the RAM action and resource of an OSS operation; region
// is the bucket's region id ("*" when the bucket is unknown).
func ossRAMRequest(accountID, op, region, bucket, key string) (action, resource string) {
	action, ok := ossRAMActions[op]
	if !ok {
		action = "oss:" + op
	}
	resource = "acs:oss:" + region + ":" + accountID + ":"
	switch {
	case bucket == "":
		return action, resource + "*"
	case key == "" || op == "DeleteObjects":
		return action, resource + bucket
	}
	return action, resource + bucket + "/" + key
}
