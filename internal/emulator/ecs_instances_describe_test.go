package emulator

import (
	"encoding/json"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestDescribePagingAndConsistency(t *testing.T) {
	srv, client := instantECS(t)
	req := runReq(SeedRegion)
	req.Amount = "5"
	if _, err := client.RunInstances(req); err != nil {
		t.Fatal(err)
	}
	// Token paging visits all 7 instances once.
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		dreq := ecs.CreateDescribeInstancesRequest()
		dreq.MaxResults = "3"
		dreq.NextToken = token
		resp, err := client.DescribeInstances(dreq)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range resp.Instances.Instance {
			if seen[in.InstanceId] {
				t.Fatalf("%s twice", in.InstanceId)
			}
			seen[in.InstanceId] = true
		}
		if token = resp.NextToken; token == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Fatalf("saw %d instances", len(seen))
	}
	// Page mode.
	preq := ecs.CreateDescribeInstancesRequest()
	preq.PageSize = "4"
	preq.PageNumber = "2"
	page, err := client.DescribeInstances(preq)
	if err != nil || len(page.Instances.Instance) != 3 || page.TotalCount != 7 || page.PageNumber != 2 {
		t.Fatalf("page 2: %v %+v", err, page)
	}
	bad := ecs.CreateDescribeInstancesRequest()
	bad.NextToken = "garbage"
	_, err = client.DescribeInstances(bad)
	wantAPIError(t, err, 400, "InvalidParameter.NextToken")

	// Eventual consistency: a new instance misses its first 2 describes.
	srv.SetEventualConsistency(2)
	run, err := client.RunInstances(runReq(SeedRegion))
	if err != nil {
		t.Fatal(err)
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	ids, _ := json.Marshal([]string{id})
	for i, want := range []int{0, 0, 1, 1} {
		dreq := ecs.CreateDescribeInstancesRequest()
		dreq.InstanceIds = string(ids)
		resp, err := client.DescribeInstances(dreq)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Instances.Instance) != want {
			t.Fatalf("describe %d: %d instances, want %d", i+1, len(resp.Instances.Instance), want)
		}
	}
}

func TestNewDisksLagToo(t *testing.T) {
	srv, client := instantECS(t)
	srv.SetEventualConsistency(1)
	create := ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	create.Size = "20"
	d, err := client.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := diskByID(t, client, d.DiskId); ok {
		t.Fatal("new disk visible on the first describe")
	}
	if _, ok := diskByID(t, client, d.DiskId); !ok {
		t.Fatal("new disk still missing on the second describe")
	}
}

// Concurrent calls are serialised by the service; run with -race. Each
// goroutine has its own SDK client: ecs.Client itself is not safe for
// concurrent use (DoAction writes the shared http.Client's timeout).
func TestConcurrentRunAndDescribe(t *testing.T) {
	srv, client := instantECS(t)
	const n = 8
	errs := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		runner := ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		reader := ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		go func() {
			_, err := runner.RunInstances(runReq(SeedRegion))
			errs <- err
		}()
		go func() {
			_, err := reader.DescribeInstances(ecs.CreateDescribeInstancesRequest())
			errs <- err
		}()
	}
	for i := 0; i < 2*n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != n+2 {
		t.Fatalf("total %d, %v", list.TotalCount, err)
	}
}
