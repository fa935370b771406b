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
}

// Tolerated are refusals an operation of a type turns into a warning and
// goes on: the action is still asked for, so it stays in the policy, but
// without it the apply succeeds with a warning (the acceptance tests check
// the request log shows it refused instead of expecting an error).
var Tolerated = map[string]map[string]string{
	"alidr_replicated_image": {"ecs:TagResources": "the copies are not marked as claimed by the resource; a warning"},
	"alidr_restored_instance": {
		"ecs:TagResources":          "the instance is not marked as claimed by the resource; a warning",
		"ecs:DescribeVSwitches":     "the vSwitch is not checked at plan time; a warning",
		"ecs:DescribeInstanceTypes": "the instance type is not checked at plan time; a warning",
		"ecs:DeleteImage":           "the temporary image of a restore from a snapshot stays; a warning",
	},
}
