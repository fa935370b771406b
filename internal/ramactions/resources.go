package ramactions

// ARN patterns of the resources each action is authorised on, with the
// placeholders {region}, {account} and {bucket}. "*" is an action without
// resource-level authorisation ("All Resources" in the reference).
//
// Sources (checked 2026-12-03):
//   - ECS: "RAM authorization" (alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-ram)
//     and each API page's "Authorization information", e.g. DeleteAutoSnapshotPolicy:
//     acs:ecs:{#regionId}:{#accountId}:snapshotpolicy/{#SnapshotPolicyId}.
//   - OSS: "Grant access to OSS by using RAM policies" (alibabacloud.com/help/en/oss/user-guide/ram-policy-overview):
//     bucket actions on acs:oss:*:{account}:{bucket}, object actions on acs:oss:*:{account}:{bucket}/{object};
//     HeadObject and GetObjectMeta need oss:GetObject, multipart uploads oss:PutObject.
//   - STS: "FAQ about RAM roles and STS tokens": sts:AssumeRole on acs:ram:*:{account}:role/{name}.
//
// Actions touching several resources (RunInstances, CreateImage) list each;
// which of them RAM checks for a given call is not documented per parameter
// and cannot be verified offline (the emulator checks the first, see
// internal/emulator/ram_resources.go).

func ecs(types ...string) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = "acs:ecs:{region}:{account}:" + t + "/*"
	}
	return out
}

var (
	allResources = []string{"*"}
	ossObjects   = []string{"acs:oss:*:{account}:{bucket}/*"}
	ossBuckets   = []string{"acs:oss:*:{account}:{bucket}"}
	// EBS API pages' "RAM authorization", e.g. UpdateEnterpriseSnapshotPolicy:
	// acs:ebs:{#regionId}:{#accountId}:enterprisesnapshotpolicy/{#EnterpriseSnapshotPolicyId}.
	enterprisePolicies = []string{"acs:ebs:{region}:{account}:enterprisesnapshotpolicy/*"}
	taggable           = ecs("instance", "disk", "snapshot", "image", "snapshotpolicy")
)

// Resources maps every action of Table to its ARN patterns, one line each.
var Resources = map[string][]string{
	"ecs:DescribeRegions":                  allResources,
	"ecs:DescribeInstanceTypes":            allResources,
	"ecs:DescribeVSwitches":                allResources,
	"ecs:DescribeTaskAttribute":            allResources,
	"ecs:CancelTask":                       allResources,
	"ecs:DescribeInvocationResults":        allResources,
	"ecs:DescribeDisks":                    ecs("disk"),
	"ecs:DescribeSnapshots":                ecs("snapshot"),
	"ecs:ModifySnapshotAttribute":          ecs("snapshot"),
	"ecs:ModifySnapshotCategory":           ecs("snapshot"),
	"ecs:DeleteSnapshot":                   ecs("snapshot"),
	"ecs:UnlockSnapshot":                   ecs("snapshot"),
	"ecs:CreateAutoSnapshotPolicy":         ecs("snapshotpolicy"),
	"ecs:DescribeAutoSnapshotPolicyEx":     ecs("snapshotpolicy"),
	"ecs:ModifyAutoSnapshotPolicyEx":       ecs("snapshotpolicy"),
	"ecs:DeleteAutoSnapshotPolicy":         ecs("snapshotpolicy"),
	"ecs:ApplyAutoSnapshotPolicy":          ecs("snapshotpolicy", "disk"),
	"ecs:CancelAutoSnapshotPolicy":         ecs("snapshotpolicy", "disk"),
	"ecs:DescribeImages":                   ecs("image"),
	"ecs:CreateImage":                      ecs("image", "snapshot", "instance"),
	"ecs:CopyImage":                        ecs("image"),
	"ecs:CancelCopyImage":                  ecs("image"),
	"ecs:DeleteImage":                      ecs("image"),
	"ecs:ModifyImageAttribute":             ecs("image"),
	"ecs:ModifyImageSharePermission":       ecs("image"),
	"ecs:DescribeImageSharePermission":     ecs("image"),
	"ecs:ExportImage":                      ecs("image"),
	"ecs:DescribeInstances":                ecs("instance"),
	"ecs:RunInstances":                     append(ecs("instance", "image", "snapshot", "disk", "securitygroup"), "acs:vpc:{region}:{account}:vswitch/*"),
	"ecs:StartInstance":                    ecs("instance"),
	"ecs:StopInstance":                     ecs("instance"),
	"ecs:DeleteInstance":                   ecs("instance"),
	"ecs:ModifyInstanceAttribute":          ecs("instance"),
	"ecs:RunCommand":                       ecs("instance", "command"),
	"ecs:TagResources":                     taggable,
	"ecs:UntagResources":                   taggable,
	"ecs:ListTagResources":                 taggable,
	"oss:GetObject":                        ossObjects,
	"oss:PutObject":                        ossObjects,
	"oss:DeleteObject":                     ossObjects,
	"oss:AbortMultipartUpload":             ossObjects,
	"ecs:DescribeTasks":                    allResources,
	"ecs:DescribeLockedSnapshots":          ecs("snapshot"),
	"ecs:LockSnapshot":                     ecs("snapshot"),
	"ebs:CreateEnterpriseSnapshotPolicy":   enterprisePolicies,
	"ebs:DescribeEnterpriseSnapshotPolicy": enterprisePolicies,
	"ebs:UpdateEnterpriseSnapshotPolicy":   enterprisePolicies,
	"ebs:DeleteEnterpriseSnapshotPolicy":   enterprisePolicies,
	"ebs:BindEnterpriseSnapshotPolicy":     enterprisePolicies,
	"ebs:UnbindEnterpriseSnapshotPolicy":   enterprisePolicies,
	"oss:PutBucket":                        ossBuckets,
	"oss:DeleteBucket":                     ossBuckets,
	"oss:GetBucketInfo":                    ossBuckets,
	"oss:PutBucketVersioning":              ossBuckets,
	"oss:GetBucketVersioning":              ossBuckets,
	"oss:InitiateBucketWorm":               ossBuckets,
	"oss:CompleteBucketWorm":               ossBuckets,
	"oss:ExtendBucketWorm":                 ossBuckets,
	"oss:AbortBucketWorm":                  ossBuckets,
	"oss:GetBucketWorm":                    ossBuckets,
	"sts:AssumeRole":                       {"acs:ram:*:{account}:role/*"},
}
