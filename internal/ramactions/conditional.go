package ramactions

// Conditional are actions of Table that operations call only in some cases,
// with the case. They belong in the policy (the provider needs them then),
// but the acceptance tests' life of each duty does not reach them, so their
// minimality is argued here rather than shown by a failing call.
var Conditional = map[string]string{
	"ecs:CancelCopyImage":         "an image copy that fails or outlives its timeout is cancelled",
	"ecs:CancelTask":              "an export that outlives its timeout is cancelled",
	"ecs:ModifySnapshotAttribute": "retention tiers keep a policy's snapshots longer (monthly_months, yearly_years) once the policy has taken some",
	"ecs:ModifySnapshotCategory":  "retention tiers move a policy's snapshots to the archive tier once it has taken some",
	"ecs:DescribeLockedSnapshots": "only_locked = true, or a snapshot policy's lock, reads the locks of the points",
	"ecs:LockSnapshot":            "a snapshot policy with lock = { tiers } locks its points",
	"oss:GetObject":               "only_verified = true reads the signed attestations of the candidate points",
	// engine = "automatic" (the default is the enterprise policy).
	"ecs:CreateAutoSnapshotPolicy":     "engine = \"automatic\"",
	"ecs:ApplyAutoSnapshotPolicy":      "engine = \"automatic\"",
	"ecs:DescribeAutoSnapshotPolicyEx": "engine = \"automatic\"",
	"ecs:ModifyAutoSnapshotPolicyEx":   "engine = \"automatic\"",
	"ecs:CancelAutoSnapshotPolicy":     "engine = \"automatic\"",
	"ecs:DeleteAutoSnapshotPolicy":     "engine = \"automatic\"",
	"ecs:TagResources":                 "tags of an automatic-engine snapshot policy change in place (an enterprise policy's are set at creation)",
	"ecs:UntagResources":               "tags of an automatic-engine snapshot policy change in place (an enterprise policy's are set at creation)",
}

// Tolerated are refusals an operation of a type turns into a warning and
// goes on: the action is still asked for, so it stays in the policy, but
// without it the apply succeeds with a warning (the acceptance tests check
// the request log shows it refused instead of expecting an error).
var Tolerated = map[string]map[string]string{
	// Create marks the new policy as claimed (its Desc) with an update.
	"alidr_snapshot_policy": {"ebs:UpdateEnterpriseSnapshotPolicy": "the new policy is not marked as claimed by the resource; a warning"},
	"alidr_replicated_image": {
		"ecs:TagResources":        "the copies are not marked as claimed by the resource; a warning",
		"oss:GetBucketInfo":       wormUnchecked,
		"oss:GetBucketVersioning": wormUnchecked,
		"oss:GetBucketWorm":       wormUnchecked,
	},
	"alidr_verification_run": {
		"oss:GetBucketInfo":       wormUnchecked,
		"oss:GetBucketVersioning": wormUnchecked,
		"oss:GetBucketWorm":       wormUnchecked,
	},
	"alidr_restored_instance": {
		"ecs:TagResources":          "the instance is not marked as claimed by the resource; a warning",
		"ecs:DescribeVSwitches":     "the vSwitch is not checked at plan time; a warning",
		"ecs:DescribeInstanceTypes": "the instance type is not checked at plan time; a warning",
		"ecs:DeleteImage":           "the temporary image of a restore from a snapshot stays; a warning",
	},
}

// wormUnchecked: the plan cannot tell whether the bucket has a locked WORM
// policy, and warns so.
const wormUnchecked = "the bucket's WORM retention is not checked at plan time; a warning"
