package emulator

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// providerActions are the actions the provider calls, by API version: the
// typed requests (ecs.CreateXRequest(), sts.CreateXRequest()) and common
// requests (ApiName) of internal/cloud and internal/verify.
// TestProviderActionsAreListed keeps this list in step with the code.
var providerActions = map[string][]string{
	ecsAPIVersion: {
		"ApplyAutoSnapshotPolicy", "CancelAutoSnapshotPolicy", "CancelCopyImage", "CancelTask", "CopyImage",
		"CreateAutoSnapshotPolicy", "CreateImage", "DeleteAutoSnapshotPolicy", "DeleteImage", "DeleteInstance",
		"DeleteSnapshot", "DescribeAutoSnapshotPolicyEx", "DescribeDisks", "DescribeImageSharePermission",
		"DescribeImages", "DescribeInstanceTypes", "DescribeInstances", "DescribeInvocationResults",
		"DescribeLockedSnapshots", "DescribeRegions", "DescribeSnapshots", "DescribeTaskAttribute", "DescribeTasks", "DescribeVSwitches", "ExportImage",
		"ListTagResources", "LockSnapshot", "ModifyAutoSnapshotPolicyEx", "ModifyImageAttribute", "ModifyImageSharePermission",
		"ModifyInstanceAttribute", "ModifySnapshotAttribute", "ModifySnapshotCategory", "RunCommand",
		"RunInstances", "StartInstance", "StopInstance", "TagResources", "UnlockSnapshot", "UntagResources",
	},
	stsAPIVersion: {"AssumeRole"},
	ebsAPIVersion: {
		"BindEnterpriseSnapshotPolicy", "CreateEnterpriseSnapshotPolicy", "DeleteEnterpriseSnapshotPolicy",
		"DescribeEnterpriseSnapshotPolicy", "UnbindEnterpriseSnapshotPolicy", "UpdateEnterpriseSnapshotPolicy",
	},
}

var (
	typedRequest  = regexp.MustCompile(`\b(ecs|sts)\.Create([A-Za-z]+)Request\(\)`)
	commonRequest = regexp.MustCompile(`ApiName\s*(?:=|:)\s*"([A-Za-z]+)"`)
	// ebsRequest: internal/cloud sends EBS actions by name through DoEBS.
	ebsRequest   = regexp.MustCompile(`(?:DoEBS|diskTargets)\([^()]*?"([A-Z][A-Za-z]+)"`)
	versionValue = regexp.MustCompile(`Version\s*(?:=|:)\s*"(\d{4}-\d{2}-\d{2})"`)
)

// commonRequestVersion is the API version a common request at offset sets
// within a few lines of its ApiName; ECS when it sets none there.
func commonRequestVersion(src string, offset int) string {
	lo, hi := max(offset-400, 0), min(offset+400, len(src))
	if m := versionValue.FindStringSubmatch(src[lo:hi]); m != nil {
		return m[1]
	}
	return ecsAPIVersion
}

// TestProviderActionsAreListed fails when the provider calls an action that
// providerActions lacks, or that has no API definition.
func TestProviderActionsAreListed(t *testing.T) {
	versions := map[string]string{"ecs": ecsAPIVersion, "sts": stsAPIVersion}
	called := map[string]bool{}
	for _, dir := range []string{"../cloud", "../verify"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range typedRequest.FindAllStringSubmatch(string(src), -1) {
				called[versions[m[1]]+" "+m[2]] = true
			}
			for _, m := range ebsRequest.FindAllStringSubmatch(string(src), -1) {
				called[ebsAPIVersion+" "+m[1]] = true
			}
			for _, loc := range commonRequest.FindAllStringSubmatchIndex(string(src), -1) {
				called[commonRequestVersion(string(src), loc[0])+" "+string(src[loc[2]:loc[3]])] = true
			}
		}
	}
	if len(called) < 10 {
		t.Fatalf("found only %d provider actions: the scan is broken", len(called))
	}
	for call := range called {
		version, action, _ := strings.Cut(call, " ")
		if _, ok := apiDefs[version]; !ok {
			t.Logf("%s %s: no definitions of that API version, so strict mode does not check it", version, action)
			continue
		}
		if !slices.Contains(providerActions[version], action) {
			t.Errorf("the provider calls %s %s: add it to providerActions", version, action)
		}
		if _, ok := apiDefs[version][action]; !ok {
			t.Errorf("the provider calls %s %s, which has no API definition: add its model to tools/apidefs and run make apidefs", version, action)
		}
	}
}

// TestServedActionsAreDefined: strict mode needs a definition of every
// action the emulator serves.
func TestServedActionsAreDefined(t *testing.T) {
	srv, err := New(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for version, handlers := range map[string]map[string]rpcHandler{ecsAPIVersion: srv.ecs.handlers, stsAPIVersion: srv.ecs.stsHandlers, ebsAPIVersion: srv.ecs.ebsHandlers} {
		for action := range handlers {
			if _, ok := apiDefs[version][action]; !ok {
				t.Errorf("%s %s is served but has no API definition: add its model to tools/apidefs and run make apidefs", version, action)
			}
		}
	}
}

// undefinedParamName is a parameter no action defines.
const undefinedParamName = "AlidrUndefinedParameter"

// TestStrictRefusesUndefinedParameterOnEveryProviderAction sends, through
// the SDK's signed common request, each action the provider calls with its
// required parameters and one undefined parameter, and expects the 400
// naming it. Without that parameter, the same request passes the
// definition check (the handler may still refuse the placeholder ids).
func TestStrictRefusesUndefinedParameterOnEveryProviderAction(t *testing.T) {
	srv, _, ecsSDK := startECS(t, SeedRegion)
	stsSDK := stsClient(t, srv, DefaultAccessKeyID, DefaultAccessKeySecret)
	for version, actions := range providerActions {
		for _, action := range actions {
			if _, served := srv.ecs.handlers[action]; version == ecsAPIVersion && !served {
				// Checked once the emulator serves it (strict mode runs
				// after the action is found).
				t.Logf("%s is not served by the emulator", action)
				continue
			}
			def := apiDefs[version][action]
			params := requiredPlaceholders(def)
			if err := checkAgainstDefinition(version, action, withCommon(params)); err != nil {
				t.Errorf("%s with its required parameters fails the definition check: %v", action, err)
			}
			req := requests.NewCommonRequest()
			req.Version, req.ApiName, req.Domain = version, action, srv.Addr()
			for k, v := range params {
				req.QueryParams[k] = v
			}
			req.QueryParams[undefinedParamName] = "1"
			var err error
			if version == stsAPIVersion {
				_, err = stsSDK.ProcessCommonRequest(req)
			} else {
				_, err = ecsSDK.ProcessCommonRequest(req)
			}
			var se *sdkerrors.ServerError
			if !errors.As(err, &se) || se.HttpStatus() != http.StatusBadRequest || se.ErrorCode() != "InvalidParameter" ||
				!strings.Contains(se.Message(), strconv.Quote(undefinedParamName)) || !strings.Contains(se.Message(), action) {
				t.Errorf("%s with %s: want 400 InvalidParameter naming it and the action, got %v", action, undefinedParamName, err)
			}
		}
	}
}

// requiredPlaceholders fills an action's required top-level parameters with
// values of their type (the first documented value of an enum).
func requiredPlaceholders(def apiAction) map[string]string {
	params := map[string]string{}
	for name, p := range def.Params {
		if !p.Required || name == "regionId" {
			continue
		}
		name = strings.ReplaceAll(name, ".N", ".1")
		switch {
		case len(p.Enum) > 0:
			params[name] = p.Enum[0]
		case p.Type == paramInteger && p.Ranged:
			params[name] = strconv.FormatInt(p.Min, 10)
		case p.Type == paramInteger:
			params[name] = "1"
		case p.Type == paramBoolean:
			params[name] = "true"
		case p.Type == paramJSON:
			params[name] = "{}"
		default:
			params[name] = "placeholder"
		}
	}
	return params
}

// withCommon adds the common parameters an SDK call carries.
func withCommon(params map[string]string) map[string]string {
	out := map[string]string{"Action": "X", "Version": "X", "Format": "JSON", "AccessKeyId": "ak", "Signature": "s",
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "n", "SignatureType": "",
		"Timestamp": "2026-01-01T00:00:00Z", "RegionId": SeedRegion}
	for k, v := range params {
		out[k] = v
	}
	return out
}

// TestDefinitionCheckByKind covers each kind of parameter the definitions
// hold, valid and not.
func TestDefinitionCheckByKind(t *testing.T) {
	cases := []struct {
		name, version, action string
		params                map[string]string
		code, mention         string // "" code: passes
	}{
		{"top-level string", ecsAPIVersion, "CopyImage", map[string]string{"ImageId": "m-1", "ClientToken": "tok"}, "", ""},
		{"misspelled name", ecsAPIVersion, "CopyImage", map[string]string{"ImageId": "m-1", "imageId": "m-1"}, "InvalidParameter", `"imageId"`},
		{"list of structs", ecsAPIVersion, "DescribeSnapshots", map[string]string{"Tag.1.Key": "k", "Tag.20.Value": "v"}, "", ""},
		{"list index 0", ecsAPIVersion, "DescribeSnapshots", map[string]string{"Tag.0.Key": "k"}, "InvalidParameter", "start at 1"},
		{"list index past the documented maximum", ecsAPIVersion, "DescribeSnapshots", map[string]string{"Tag.21.Key": "k"}, "InvalidParameter", "from 1 to 20"},
		{"list index with a leading zero", ecsAPIVersion, "DescribeSnapshots", map[string]string{"Tag.01.Key": "k"}, "InvalidParameter", `"Tag.01.Key"`},
		{"unknown field of a list element", ecsAPIVersion, "DescribeSnapshots", map[string]string{"Tag.1.Name": "k"}, "InvalidParameter", `"Tag.1.Name"`},
		{"nested struct and lists", ecsAPIVersion, "RunInstances", map[string]string{"SystemDisk.Category": "cloud_essd", "DataDisk.1.Size": "40",
			"NetworkInterface.1.SecondaryPrivateIpAddressCount": "2", "NetworkInterface.1.SecurityGroupIds.1": "sg-1"}, "", ""},
		{"top-level SecondaryPrivateIpAddressCount", ecsAPIVersion, "RunInstances", map[string]string{"SecondaryPrivateIpAddressCount": "2"}, "InvalidParameter", `"SecondaryPrivateIpAddressCount"`},
		{"names before values", ecsAPIVersion, "RunInstances", map[string]string{"DataDisk.1.Size": "big", "Zone": "x"}, "InvalidParameter", `"Zone"`},
		{"data disks past 16", ecsAPIVersion, "RunInstances", map[string]string{"DataDisk.17.Size": "40"}, "InvalidParameter", "from 1 to 16"},
		{"integer that is not", ecsAPIVersion, "RunInstances", map[string]string{"DataDisk.1.Size": "big"}, "InvalidParameter", `"DataDisk.1.Size"`},
		{"enum with a documented error", ecsAPIVersion, "RunInstances", map[string]string{"SystemDisk.Category": "floppy"}, "InvalidSystemDiskCategory.ValueNotSupported", "cloud_essd"},
		{"enum without one", ecsAPIVersion, "DescribeSnapshots", map[string]string{"SnapshotType": "manual"}, "InvalidParameter", `"SnapshotType"`},
		{"enum in another case", ecsAPIVersion, "DescribeSnapshots", map[string]string{"SnapshotType": "Auto"}, "", ""},
		{"comma-separated enum", ecsAPIVersion, "DescribeImages", map[string]string{"Status": "Available,Creating"}, "", ""},
		{"comma-separated enum with a stranger", ecsAPIVersion, "DescribeImages", map[string]string{"Status": "Available,Gone"}, "InvalidParameter", `"Status"`},
		{"range", ecsAPIVersion, "DescribeImages", map[string]string{"PageSize": "101"}, "InvalidParameter", "1 to 100"},
		{"boolean", ecsAPIVersion, "DescribeSnapshots", map[string]string{"DryRun": "yes"}, "InvalidParameter", `"DryRun"`},
		{"JSON document", ecsAPIVersion, "RunCommand", map[string]string{"Type": "RunShellScript", "CommandContent": "ls", "InstanceId.1": "i-1", "Parameters": `{"a":"b"}`}, "", ""},
		{"JSON document that is not", ecsAPIVersion, "RunCommand", map[string]string{"Type": "RunShellScript", "CommandContent": "ls", "InstanceId.1": "i-1", "Parameters": "{bad"}, "InvalidParameter", `"Parameters"`},
		{"missing required", ecsAPIVersion, "CopyImage", map[string]string{}, "MissingParameter", `"ImageId"`},
		{"missing required list", ecsAPIVersion, "DeleteInstances", map[string]string{}, "MissingParameter", `"InstanceId.1"`},
		{"lower-case parameter names", ecsAPIVersion, "CreateAutoSnapshotPolicy", map[string]string{"timePoints": `["1"]`, "repeatWeekdays": `["1"]`, "retentionDays": "7"}, "", ""},
		{"STS", stsAPIVersion, "AssumeRole", map[string]string{"RoleArn": "acs:ram::1:role/r", "RoleSessionName": "s", "DurationSeconds": "900"}, "", ""},
		{"STS misspelled", stsAPIVersion, "AssumeRole", map[string]string{"RoleArn": "acs:ram::1:role/r", "RoleSessionNam": "s"}, "InvalidParameter", `"RoleSessionNam"`},
		{"STS missing required", stsAPIVersion, "AssumeRole", map[string]string{"RoleArn": "acs:ram::1:role/r"}, "MissingParameter", `"RoleSessionName"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAgainstDefinition(tc.version, tc.action, withCommon(tc.params))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != tc.code || !strings.Contains(ae.Message, tc.mention) {
				t.Fatalf("want 400 %s mentioning %s, got %v", tc.code, tc.mention, err)
			}
		})
	}
}

// TestLenientAcceptsUndefinedParameter: Options.Lenient turns the check off.
func TestLenientAcceptsUndefinedParameter(t *testing.T) {
	for _, lenient := range []bool{false, true} {
		srv, err := New(Options{DataDir: t.TempDir(), Lenient: lenient})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		req := requests.NewCommonRequest()
		req.Version, req.ApiName, req.Domain = ecsAPIVersion, "DescribeRegions", srv.Addr()
		req.QueryParams[undefinedParamName] = "1"
		_, err = ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret).ProcessCommonRequest(req)
		srv.Close()
		if lenient != (err == nil) {
			t.Errorf("Lenient=%v: DescribeRegions with %s: %v", lenient, undefinedParamName, err)
		}
	}
}

// TestRequiredFieldOfListElement: a required field is needed in every list
// element sent (none of the provider's actions has one today).
func TestRequiredFieldOfListElement(t *testing.T) {
	def := apiAction{Params: map[string]apiParam{"Tag.N.Key": {Required: true}, "Tag.N.Value": {}}}
	if err := checkRequired(def, map[string]string{}, map[string]bool{}); err != nil {
		t.Fatalf("no element sent: %v", err)
	}
	params := map[string]string{"Tag.1.Key": "a", "Tag.2.Value": "b"}
	err := checkRequired(def, params, map[string]bool{"Tag.1": true, "Tag.2": true})
	var ae *apiError
	if !errors.As(err, &ae) || ae.Code != "MissingParameter" || !strings.Contains(ae.Message, `"Tag.2.Key"`) {
		t.Fatalf("want MissingParameter Tag.2.Key, got %v", err)
	}
}

func TestCommonRequestVersion(t *testing.T) {
	src := "req := requests.NewCommonRequest()\n\treq.Version = \"2021-07-30\"\n\treq.ApiName = \"CreateX\"\n"
	if v := commonRequestVersion(src, strings.Index(src, "ApiName")); v != "2021-07-30" {
		t.Errorf("version %q", v)
	}
	if v := commonRequestVersion(`req.ApiName = "DescribeX"`, 0); v != ecsAPIVersion {
		t.Errorf("default version %q", v)
	}
}
