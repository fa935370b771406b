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
