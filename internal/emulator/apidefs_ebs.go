package emulator

// EBS (API version 2021-07-30) definitions of the enterprise snapshot policy
// actions, written by hand: no official model module of this API is served
// here, so tools/apidefs cannot generate them. Same table format as
// apidefs_gen.go, so strict mode refuses unknown names, missing required
// parameters, enums and ranges exactly as for ECS.
//
// Sources (each parameter below comes from one of them):
//   - [ref] the Alibaba Cloud API reference pages "api-ebs-2021-07-30-<action>"
//     (CreateEnterpriseSnapshotPolicy, UpdateEnterpriseSnapshotPolicy,
//     DescribeEnterpriseSnapshotPolicy, DeleteEnterpriseSnapshotPolicy,
//     BindEnterpriseSnapshotPolicy, UnbindEnterpriseSnapshotPolicy);
//   - [sdk] the official generated SDK alibabacloud-go/ebs-20210730 request
//     models and client (Create...Request json tags and comments; its client
//     sends Schedule, RetainRule, StorageRule, CrossRegionCopyInfo and
//     SpecialRetainRules as JSON strings ("Shrink" fields, style json), and
//     array parameters (PolicyIds, DiskIds, DiskTargets) as repeat lists
//     Name.1, Name.2 ...).
//
// The inside of the JSON parameters (CronExpression, Number, TimeInterval,
// TimeUnit, Regions[].RegionId/RetainDays, Rules[].SpecialPeriodUnit...) is
// checked by the handlers (ebs_policies_params.go) against the same sources.

// ebsAPIVersion is the EBS API version.
const ebsAPIVersion = "2021-07-30"

// ebsPolicyBody are the JSON-document parameters Create and Update share
// ([ref], [sdk]: type Struct, sent as JSON strings).
var ebsPolicyBody = map[string]apiParam{
	"Schedule":            {Type: paramJSON},
	"RetainRule":          {Type: paramJSON},
	"StorageRule":         {Type: paramJSON},
	"CrossRegionCopyInfo": {Type: paramJSON},
	"SpecialRetainRules":  {Type: paramJSON},
}

// ebsPolicyState is State: [ref] "DISABLED, ENABLED".
var ebsPolicyState = apiParam{Type: paramString, Enum: []string{"DISABLED", "ENABLED"}}

var ebsAPIDefs = map[string]apiAction{
	"CreateEnterpriseSnapshotPolicy": {
		Model: "CreateEnterpriseSnapshotPolicyRequest (hand-written, [ref] [sdk])",
		Params: withParams(ebsPolicyBody, map[string]apiParam{
			"RegionId":        {Type: paramString, Required: true},
			"Name":            {Type: paramString, Required: true},
			"TargetType":      {Type: paramString, Required: true, Enum: []string{"DISK"}}, // [ref] "DISK"
			"State":           ebsPolicyState,
			"Desc":            {Type: paramString},
			"ResourceGroupId": {Type: paramString},
			"ClientToken":     {Type: paramString},
			// [sdk] "The tag key-value pairs. Valid values of n: 1 to 20."
			"Tag.N.Key":   {Type: paramString},
			"Tag.N.Value": {Type: paramString},
			// [ref]/[sdk]: Schedule and RetainRule are required.
			"Schedule":   {Type: paramJSON, Required: true},
			"RetainRule": {Type: paramJSON, Required: true},
		}),
		MaxN: map[string]int{"Tag.N": 20},
	},
	"UpdateEnterpriseSnapshotPolicy": {
		Model: "UpdateEnterpriseSnapshotPolicyRequest (hand-written, [ref])",
		Params: withParams(ebsPolicyBody, map[string]apiParam{
			"RegionId":    {Type: paramString, Required: true},
			"PolicyId":    {Type: paramString, Required: true},
			"Name":        {Type: paramString},
			"State":       ebsPolicyState,
			"Desc":        {Type: paramString},
			"ClientToken": {Type: paramString},
		}),
	},
	"DescribeEnterpriseSnapshotPolicy": {
		Model: "DescribeEnterpriseSnapshotPolicyRequest (hand-written, [ref])",
		Params: map[string]apiParam{
			"RegionId":        {Type: paramString, Required: true},
			"PolicyIds.N":     {Type: paramString},
			"DiskIds.N":       {Type: paramString},
			"ResourceGroupId": {Type: paramString},
			"NextToken":       {Type: paramString},
			// [ref] MaxResults "1~500", PageSize "1-100".
			"MaxResults":  {Type: paramInteger, Min: 1, Max: 500, Ranged: true},
			"PageSize":    {Type: paramInteger, Min: 1, Max: 100, Ranged: true},
			"PageNumber":  {Type: paramInteger},
			"ClientToken": {Type: paramString},
			"Tag.N.Key":   {Type: paramString},
			"Tag.N.Value": {Type: paramString},
		},
		MaxN: map[string]int{"Tag.N": 20},
	},
	"DeleteEnterpriseSnapshotPolicy": {
		Model: "DeleteEnterpriseSnapshotPolicyRequest (hand-written, [sdk] client)",
		Params: map[string]apiParam{
			"RegionId":    {Type: paramString, Required: true},
			"PolicyId":    {Type: paramString, Required: true},
			"ClientToken": {Type: paramString},
		},
	},
	"BindEnterpriseSnapshotPolicy": {
		Model: "BindEnterpriseSnapshotPolicyRequest (hand-written, [sdk] client: ClientToken, DiskTargets, PolicyId, RegionId)",
		Params: map[string]apiParam{
			"RegionId":      {Type: paramString, Required: true},
			"PolicyId":      {Type: paramString, Required: true},
			"DiskTargets.N": {Type: paramString},
			"ClientToken":   {Type: paramString},
		},
	},
	"UnbindEnterpriseSnapshotPolicy": {
		Model: "UnbindEnterpriseSnapshotPolicyRequest (hand-written, [sdk] client: ClientToken, DiskTargets, PolicyId, RegionId)",
		Params: map[string]apiParam{
			"RegionId":      {Type: paramString, Required: true},
			"PolicyId":      {Type: paramString, Required: true},
			"DiskTargets.N": {Type: paramString},
			"ClientToken":   {Type: paramString},
		},
	},
}

// withParams merges parameter tables; later ones win.
func withParams(tables ...map[string]apiParam) map[string]apiParam {
	out := map[string]apiParam{}
	for _, t := range tables {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}
