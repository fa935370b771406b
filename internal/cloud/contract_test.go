package cloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// contract is one ECS action the client calls: its request and response
// types and the response fields the client reads (JSON paths, [] for every
// list item).
type contract struct {
	action string
	req    requests.AcsRequest
	resp   responses.AcsResponse
	reads  []string
}

const (
	imageReads    = "ImageId ImageName Description Status Progress Size CreationTime ImageOwnerAlias DiskDeviceMappings.DiskDeviceMapping[].SnapshotId DiskDeviceMappings.DiskDeviceMapping[].Size DiskDeviceMappings.DiskDeviceMapping[].Device DiskDeviceMappings.DiskDeviceMapping[].Type Tags.Tag[].TagKey Tags.Tag[].TagValue"
	diskReads     = "DiskId InstanceId Type Category Size Status ZoneId RegionId ImageId SourceSnapshotId AutoSnapshotPolicyId Encrypted KMSKeyId CreationTime Description Tags.Tag[].TagKey Tags.Tag[].TagValue"
	snapshotReads = "SnapshotId SourceDiskId SourceSnapshotId Status Progress Category RetentionDays SnapshotType CreationTime Description Encrypted KMSKeyId RegionId Tags.Tag[].TagKey Tags.Tag[].TagValue"
	instanceReads = "InstanceId InstanceName InstanceType Status ZoneId RegionId ImageId Description SecurityGroupIds.SecurityGroupId[] VpcAttributes.VSwitchId VpcAttributes.VpcId VpcAttributes.PrivateIpAddress.IpAddress[] NetworkInterfaces.NetworkInterface[].PrivateIpSets.PrivateIpSet[].PrivateIpAddress Tags.Tag[].TagKey Tags.Tag[].TagValue"
	policyReads   = "AutoSnapshotPolicyId AutoSnapshotPolicyName TimePoints RepeatWeekdays RetentionDays EnableCrossRegionCopy TargetCopyRegions CopiedSnapshotsRetentionDays CopyEncryptionConfiguration.Encrypted CopyEncryptionConfiguration.KMSKeyId Status CreationTime RegionId Type Tags.Tag[].TagKey Tags.Tag[].TagValue"
)

// under prefixes each of the space-separated fields with list.
func under(list, fields string) []string {
	var out []string
	for _, f := range strings.Fields(fields) {
		out = append(out, list+f)
	}
	return out
}

func contracts() []contract {
	none := []string(nil)
	return []contract{
		{"ApplyAutoSnapshotPolicy", ecs.CreateApplyAutoSnapshotPolicyRequest(), ecs.CreateApplyAutoSnapshotPolicyResponse(), none},
		{"CancelAutoSnapshotPolicy", ecs.CreateCancelAutoSnapshotPolicyRequest(), ecs.CreateCancelAutoSnapshotPolicyResponse(), none},
		{"CancelCopyImage", ecs.CreateCancelCopyImageRequest(), ecs.CreateCancelCopyImageResponse(), none},
		{"CancelTask", ecs.CreateCancelTaskRequest(), ecs.CreateCancelTaskResponse(), none},
		{"CopyImage", ecs.CreateCopyImageRequest(), ecs.CreateCopyImageResponse(), []string{"ImageId"}},
		{"CopySnapshot", ecs.CreateCopySnapshotRequest(), ecs.CreateCopySnapshotResponse(), []string{"SnapshotId"}},
		{"CreateAutoSnapshotPolicy", ecs.CreateCreateAutoSnapshotPolicyRequest(), ecs.CreateCreateAutoSnapshotPolicyResponse(), []string{"AutoSnapshotPolicyId"}},
		{"CreateImage", ecs.CreateCreateImageRequest(), ecs.CreateCreateImageResponse(), []string{"ImageId"}},
		{"CreateSnapshot", ecs.CreateCreateSnapshotRequest(), ecs.CreateCreateSnapshotResponse(), []string{"SnapshotId"}},
		{"DeleteAutoSnapshotPolicy", ecs.CreateDeleteAutoSnapshotPolicyRequest(), ecs.CreateDeleteAutoSnapshotPolicyResponse(), none},
		{"DeleteImage", ecs.CreateDeleteImageRequest(), ecs.CreateDeleteImageResponse(), none},
		{"DeleteInstance", ecs.CreateDeleteInstanceRequest(), ecs.CreateDeleteInstanceResponse(), none},
		{"DeleteSnapshot", ecs.CreateDeleteSnapshotRequest(), ecs.CreateDeleteSnapshotResponse(), none},
		{"DescribeAutoSnapshotPolicyEx", ecs.CreateDescribeAutoSnapshotPolicyExRequest(), ecs.CreateDescribeAutoSnapshotPolicyExResponse(),
			append(under("AutoSnapshotPolicies.AutoSnapshotPolicy[].", policyReads), "TotalCount")},
		{"DescribeDisks", ecs.CreateDescribeDisksRequest(), ecs.CreateDescribeDisksResponse(), append(under("Disks.Disk[].", diskReads), "TotalCount")},
		{"DescribeImageSharePermission", ecs.CreateDescribeImageSharePermissionRequest(), ecs.CreateDescribeImageSharePermissionResponse(),
			[]string{"Accounts.Account[].AliyunId", "TotalCount"}},
		{"DescribeImages", ecs.CreateDescribeImagesRequest(), ecs.CreateDescribeImagesResponse(), append(under("Images.Image[].", imageReads), "TotalCount")},
		{"DescribeInstanceTypes", ecs.CreateDescribeInstanceTypesRequest(), ecs.CreateDescribeInstanceTypesResponse(),
			[]string{"InstanceTypes.InstanceType[].InstanceTypeId", "InstanceTypes.InstanceType[].EniPrivateIpAddressQuantity", "NextToken"}},
		{"DescribeInstances", ecs.CreateDescribeInstancesRequest(), ecs.CreateDescribeInstancesResponse(), append(under("Instances.Instance[].", instanceReads), "TotalCount")},
		{"DescribeInvocationResults", ecs.CreateDescribeInvocationResultsRequest(), ecs.CreateDescribeInvocationResultsResponse(),
			under("Invocation.InvocationResults.InvocationResult[].", "InstanceId InvokeId InvocationStatus InvokeRecordStatus ExitCode Output ErrorCode ErrorInfo")},
		{"DescribeRegions", ecs.CreateDescribeRegionsRequest(), ecs.CreateDescribeRegionsResponse(), under("Regions.Region[].", "RegionId Status RegionEndpoint LocalName")},
		{"DescribeSnapshots", ecs.CreateDescribeSnapshotsRequest(), ecs.CreateDescribeSnapshotsResponse(), append(under("Snapshots.Snapshot[].", snapshotReads), "TotalCount", "NextToken")},
		{"DescribeTaskAttribute", ecs.CreateDescribeTaskAttributeRequest(), ecs.CreateDescribeTaskAttributeResponse(),
			[]string{"TaskId", "TaskAction", "TaskStatus", "TaskProcess"}},
		{"DescribeTasks", ecs.CreateDescribeTasksRequest(), ecs.CreateDescribeTasksResponse(),
			append(under("TaskSet.Task[].", "TaskId TaskAction ResourceId"), "TotalCount")},
		{"DescribeVSwitches", ecs.CreateDescribeVSwitchesRequest(), ecs.CreateDescribeVSwitchesResponse(), under("VSwitches.VSwitch[].", "VSwitchId VpcId ZoneId")},
		{"ExportImage", ecs.CreateExportImageRequest(), ecs.CreateExportImageResponse(), []string{"TaskId"}},
		{"ListTagResources", ecs.CreateListTagResourcesRequest(), ecs.CreateListTagResourcesResponse(),
			append(under("TagResources.TagResource[].", "ResourceId ResourceType TagKey TagValue"), "NextToken")},
		{"ModifyAutoSnapshotPolicyEx", ecs.CreateModifyAutoSnapshotPolicyExRequest(), ecs.CreateModifyAutoSnapshotPolicyExResponse(), none},
		{"ModifyImageAttribute", ecs.CreateModifyImageAttributeRequest(), ecs.CreateModifyImageAttributeResponse(), none},
		{"ModifyImageSharePermission", ecs.CreateModifyImageSharePermissionRequest(), ecs.CreateModifyImageSharePermissionResponse(), none},
		{"ModifyInstanceAttribute", ecs.CreateModifyInstanceAttributeRequest(), ecs.CreateModifyInstanceAttributeResponse(), none},
		{"ModifySnapshotAttribute", ecs.CreateModifySnapshotAttributeRequest(), ecs.CreateModifySnapshotAttributeResponse(), none},
		{"ModifySnapshotCategory", ecs.CreateModifySnapshotCategoryRequest(), ecs.CreateModifySnapshotCategoryResponse(), none},
		{"RunCommand", ecs.CreateRunCommandRequest(), ecs.CreateRunCommandResponse(), []string{"InvokeId"}},
		{"RunInstances", ecs.CreateRunInstancesRequest(), ecs.CreateRunInstancesResponse(), []string{"InstanceIdSets.InstanceIdSet[]"}},
		{"StartInstance", ecs.CreateStartInstanceRequest(), ecs.CreateStartInstanceResponse(), none},
		{"StopInstance", ecs.CreateStopInstanceRequest(), ecs.CreateStopInstanceResponse(), none},
		{"TagResources", ecs.CreateTagResourcesRequest(), ecs.CreateTagResourcesResponse(), none},
		{"UntagResources", ecs.CreateUntagResourcesRequest(), ecs.CreateUntagResourcesResponse(), none},
	}
}

// TestResponseContracts sends each action through the client's own call
// path (DoECS: signing, HTTP, the SDK's decoding) to a server that answers
// with the official response example, then checks that every example value
// arrives in the response the client reads, that every field the client
// reads is a field of the official model, and lists the read fields the
// example has no value for (the models give no example values for most
// fields of the Describe actions' lists; testdata/responses/README.md).
func TestResponseContracts(t *testing.T) {
	dir := filepath.Join("testdata", "responses")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		body, err := os.ReadFile(filepath.Join(dir, r.Form.Get("Action")+".json"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := cloud.New(context.Background(), cloud.Config{Region: "cn-hangzhou", AccessKey: "ak", SecretKey: "sk",
		Endpoints: cloud.Endpoints{ECS: srv.URL}}, "contract-test")
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range contracts() {
		t.Run(ct.action, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, ct.action+".json"))
			if err != nil {
				t.Fatal(err)
			}
			model, err := os.ReadFile(filepath.Join(dir, ct.action+".fields"))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.DoECS(context.Background(), "cn-hangzhou", ct.req, ct.resp); err != nil {
				t.Fatalf("the client does not parse the official example: %v", err)
			}
			var example, got any
			if err := json.Unmarshal(raw, &example); err != nil {
				t.Fatal(err)
			}
			decoded, err := json.Marshal(ct.resp)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(decoded, &got); err != nil {
				t.Fatal(err)
			}
			exampleLeaves, gotLeaves := leaves(example), leaves(got)
			for _, f := range ct.reads {
				if !slices.Contains(strings.Fields(string(model)), f) {
					t.Errorf("the client reads %s, which the official model of %s does not have", f, ct.action)
					continue
				}
				want, ok := exampleLeaves[f]
				if !ok {
					t.Logf("the official example has no value for %s (read by the client)", f)
					continue
				}
				if have := gotLeaves[f]; have != want {
					t.Errorf("%s: the client read %q, the example says %q", f, have, want)
				}
			}
		})
	}
}

// leaves flattens JSON into path -> value, lists as path[] (one item in the
// examples).
func leaves(v any) map[string]string {
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		default:
			out[path] = fmt.Sprint(v)
		}
	}
	walk("", v)
	return out
}
