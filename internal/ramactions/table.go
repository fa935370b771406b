// Package ramactions is the one table of the RAM actions the provider calls:
// for every resource and data source operation, the actions it needs, and
// for every action the resources (ARN patterns) it is authorised on. The
// alidr_ram_policy data source, the per-resource docs pages and the
// emulator-backed least-privilege tests are all built from it.
package ramactions

// Op is a Terraform operation on a resource or data source. Plan-time checks
// (ModifyPlan, ValidateConfig against the cloud) count as Read.
type Op string

// The operations of the table, in the order Terraform runs them.
const (
	Create Op = "create"
	Read   Op = "read"
	Update Op = "update"
	Delete Op = "delete"
	Import Op = "import"
)

// Ops lists the operations in table order.
var Ops = []Op{Create, Read, Update, Delete, Import}

// Row is one operation of one resource type and the RAM actions it calls.
// Rows are additive: an action needed by an operation in some cases only
// (tiering, a cancelled copy) is listed all the same.
type Row struct {
	Type    string // "alidr_snapshot_policy", or Provider
	Op      Op
	Actions []string
}

// Provider is the Type of what the provider itself calls whatever the
// resources: the region check at plan time.
const Provider = "provider"

// Table maps each operation to the actions it calls, one row each. Found by
// reading internal/cloud and internal/provider, and checked by the
// acceptance tests in internal/provider (ram_*_test.go): under a key that
// holds only these actions every duty applies, refreshes and destroys, and
// the emulator's request log never shows an action missing here.
var Table = []Row{
	{Provider, Read, []string{"ecs:DescribeRegions"}},

	{"alidr_regions", Read, []string{"ecs:DescribeRegions"}},
	{"alidr_disks", Read, []string{"ecs:DescribeDisks"}},
	// only_locked reads the locks; only_verified reads the signed attestations.
	{"alidr_recovery_points", Read, []string{"ecs:DescribeSnapshots", "ecs:DescribeImages", "ecs:DescribeDisks", "ecs:DescribeLockedSnapshots", "oss:GetObject"}},

	// Both engines: enterprise (ebs:, the default) and automatic (ecs:).
	{"alidr_snapshot_policy", Create, []string{"ebs:CreateEnterpriseSnapshotPolicy", "ebs:BindEnterpriseSnapshotPolicy", "ebs:DescribeEnterpriseSnapshotPolicy", "ebs:UpdateEnterpriseSnapshotPolicy", "ecs:LockSnapshot", "ecs:DescribeLockedSnapshots", "ecs:CreateAutoSnapshotPolicy", "ecs:ApplyAutoSnapshotPolicy", "ecs:DescribeAutoSnapshotPolicyEx", "ecs:DescribeDisks", "ecs:DescribeSnapshots", "ecs:ModifySnapshotAttribute", "ecs:ModifySnapshotCategory"}},
	{"alidr_snapshot_policy", Read, []string{"ebs:DescribeEnterpriseSnapshotPolicy", "ecs:DescribeLockedSnapshots", "ecs:DescribeAutoSnapshotPolicyEx", "ecs:DescribeDisks", "ecs:DescribeSnapshots"}},
	{"alidr_snapshot_policy", Update, []string{"ebs:UpdateEnterpriseSnapshotPolicy", "ecs:LockSnapshot", "ecs:DescribeLockedSnapshots", "ebs:BindEnterpriseSnapshotPolicy", "ebs:UnbindEnterpriseSnapshotPolicy", "ecs:ModifyAutoSnapshotPolicyEx", "ecs:ApplyAutoSnapshotPolicy", "ecs:CancelAutoSnapshotPolicy", "ecs:TagResources", "ecs:UntagResources", "ecs:ModifySnapshotAttribute", "ecs:ModifySnapshotCategory"}},
	{"alidr_snapshot_policy", Delete, []string{"ebs:UnbindEnterpriseSnapshotPolicy", "ebs:DeleteEnterpriseSnapshotPolicy", "ecs:CancelAutoSnapshotPolicy", "ecs:DeleteAutoSnapshotPolicy"}},
	{"alidr_snapshot_policy", Import, []string{"ebs:DescribeEnterpriseSnapshotPolicy", "ecs:DescribeAutoSnapshotPolicyEx", "ecs:DescribeDisks"}},

	{"alidr_replicated_image", Create, []string{"ecs:CreateImage", "ecs:DescribeImages", "ecs:CopyImage", "ecs:CancelCopyImage", "ecs:TagResources", "ecs:ModifyImageSharePermission", "ecs:DescribeImageSharePermission", "ecs:ExportImage", "ecs:DescribeTasks", "ecs:DescribeTaskAttribute", "ecs:CancelTask", "oss:GetObject", "oss:PutObject"}},
	// The plan warns when the export bucket has no locked WORM policy.
	{"alidr_replicated_image", Read, []string{"ecs:DescribeImages", "ecs:DescribeImageSharePermission", "oss:GetObject", "oss:GetBucketInfo", "oss:GetBucketVersioning", "oss:GetBucketWorm"}},
	{"alidr_replicated_image", Update, []string{"ecs:ModifyImageAttribute", "ecs:CopyImage", "ecs:CancelCopyImage", "ecs:DeleteImage", "ecs:DeleteSnapshot", "ecs:TagResources", "ecs:ModifyImageSharePermission", "ecs:ExportImage", "ecs:DescribeTasks", "ecs:DescribeTaskAttribute", "ecs:CancelTask", "oss:GetObject", "oss:PutObject", "oss:DeleteObject"}},
	// A shared image is unshared before it is deleted (ImageUseShared).
	{"alidr_replicated_image", Delete, []string{"ecs:DeleteImage", "ecs:DeleteSnapshot", "ecs:DescribeImages", "ecs:CancelCopyImage", "ecs:DescribeImageSharePermission", "ecs:ModifyImageSharePermission", "oss:DeleteObject"}},
	{"alidr_replicated_image", Import, []string{"ecs:DescribeImages"}},

	{"alidr_restored_instance", Create, []string{"ecs:RunInstances", "ecs:DescribeInstances", "ecs:DescribeDisks", "ecs:CreateImage", "ecs:DescribeImages", "ecs:DeleteImage", "ecs:TagResources", "ecs:DescribeSnapshots", "ecs:DescribeLockedSnapshots", "oss:GetObject"}},
	{"alidr_restored_instance", Read, []string{"ecs:DescribeInstances", "ecs:DescribeDisks", "ecs:DescribeImages", "ecs:DescribeInstanceTypes", "ecs:DescribeVSwitches", "ecs:DescribeSnapshots", "ecs:DescribeLockedSnapshots", "oss:GetObject"}},
	{"alidr_restored_instance", Update, []string{"ecs:ModifyInstanceAttribute", "ecs:StartInstance", "ecs:StopInstance", "ecs:TagResources", "ecs:UntagResources"}},
	{"alidr_restored_instance", Delete, []string{"ecs:DeleteInstance", "ecs:DescribeImages", "ecs:DeleteImage"}},
	{"alidr_restored_instance", Import, []string{"ecs:DescribeInstances", "ecs:DescribeDisks"}},

	{"alidr_verification_run", Create, []string{"oss:GetObject", "oss:PutObject", "ecs:RunCommand", "ecs:DescribeInvocationResults", "ecs:TagResources"}},
	// The plan warns when the report or attestation bucket has no locked WORM policy.
	{"alidr_verification_run", Read, []string{"oss:GetBucketInfo", "oss:GetBucketVersioning", "oss:GetBucketWorm"}},
	{"alidr_verification_run", Delete, []string{}},

	{"alidr_recovery_vault", Create, []string{"oss:PutBucket", "oss:PutBucketVersioning", "oss:InitiateBucketWorm", "oss:CompleteBucketWorm", "oss:GetBucketInfo", "oss:GetBucketVersioning", "oss:GetBucketWorm"}},
	{"alidr_recovery_vault", Read, []string{"oss:GetBucketInfo", "oss:GetBucketVersioning", "oss:GetBucketWorm"}},
	{"alidr_recovery_vault", Update, []string{"oss:PutBucketVersioning", "oss:InitiateBucketWorm", "oss:CompleteBucketWorm", "oss:ExtendBucketWorm", "oss:AbortBucketWorm"}},
	{"alidr_recovery_vault", Delete, []string{"oss:AbortBucketWorm", "oss:DeleteBucket"}},
	{"alidr_recovery_vault", Import, []string{"oss:GetBucketInfo", "oss:GetBucketVersioning", "oss:GetBucketWorm"}},
}

// Duties group the resource types a key of one job needs: the key that takes
// snapshots need not restore, the key that restores need not delete.
var Duties = map[string][]string{
	"backup":    {"alidr_snapshot_policy", "alidr_disks", "alidr_regions"},
	"replicate": {"alidr_replicated_image"},
	"restore":   {"alidr_restored_instance", "alidr_recovery_points"},
	"verify":    {"alidr_verification_run"},
}

// DutyNames lists the duties in a stable order.
var DutyNames = []string{"backup", "replicate", "restore", "verify"}

// DenyDeleteActions are the actions a deny-delete guard refuses outright, so a
// leaked backup key cannot destroy recovery points: snapshots, images, a
// snapshot lock, and exported objects.
var DenyDeleteActions = []string{"ecs:DeleteSnapshot", "ecs:DeleteImage", "ecs:UnlockSnapshot", "oss:DeleteObject", "oss:AbortMultipartUpload"}
