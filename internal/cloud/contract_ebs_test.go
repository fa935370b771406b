package cloud_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// espReads are the DescribeEnterpriseSnapshotPolicy fields the client reads
// (cloud.EnterprisePolicy, and TotalCount for paging).
const espReads = "PolicyId Name Desc State TargetType CreateTime TargetCount DiskIds[] Schedule.CronExpression RetainRule.Number RetainRule.TimeInterval RetainRule.TimeUnit CrossRegionCopyInfo.Enabled CrossRegionCopyInfo.Regions[].RegionId CrossRegionCopyInfo.Regions[].RetainDays SpecialRetainRules.Enabled SpecialRetainRules.Rules[].SpecialPeriodUnit SpecialRetainRules.Rules[].TimeInterval SpecialRetainRules.Rules[].TimeUnit Tags[].TagKey Tags[].TagValue"

// TestEBSResponseContracts: the EBS answers the client reads, parsed
// through DoEBS from the official examples (testdata/responses: the
// example values of the official generated ebs-20210730 response models),
// and every field the client reads is a field of the model.
func TestEBSResponseContracts(t *testing.T) {
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
		Endpoints: cloud.Endpoints{ECS: srv.URL, EBS: srv.URL}}, "contract-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	example := func(action string) (map[string]string, []string) {
		raw, err := os.ReadFile(filepath.Join(dir, action+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		model, err := os.ReadFile(filepath.Join(dir, action+".fields"))
		if err != nil {
			t.Fatal(err)
		}
		return leaves(v), strings.Fields(string(model))
	}

	id, err := c.CreateEnterprisePolicy(ctx, "cn-hangzhou", espSpec, "tok")
	if want, _ := example("CreateEnterpriseSnapshotPolicy"); err != nil || id != want["PolicyId"] {
		t.Errorf("CreateEnterprisePolicy read %q (%v), the example says %q", id, err, want["PolicyId"])
	}

	p, err := c.FindEnterprisePolicyByID(ctx, "cn-hangzhou", "esp-xxx")
	if err != nil {
		t.Fatalf("the client does not parse the official example: %v", err)
	}
	decoded, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(decoded, &got); err != nil {
		t.Fatal(err)
	}
	gotLeaves := leaves(got)
	want, model := example("DescribeEnterpriseSnapshotPolicy")
	for _, f := range append(strings.Fields(espReads), "TotalCount") {
		path := "Policies[]." + f
		if f == "TotalCount" {
			path = f
		}
		if !slices.Contains(model, path) {
			t.Errorf("the client reads %s, which the official model does not have", path)
			continue
		}
		v, ok := want[path]
		if !ok || f == "TotalCount" {
			continue
		}
		if have := gotLeaves[f]; have != v {
			t.Errorf("%s: the client read %q, the example says %q", f, have, v)
		}
	}
	if p.TagMap()["key"] != "value" {
		t.Errorf("tags read %v", p.TagMap())
	}
}
