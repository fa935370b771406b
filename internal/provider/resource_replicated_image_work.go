package provider

import (
	"context"
	"sort"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

// The cloud side of alidr_replicated_image: copies, shares and the export,
// run in parallel. It translates the plan into cloud calls; the decisions
// (which region gets what) come from internal/replication.

// rimgWork is one apply's view of the resource.
type rimgWork struct {
	c                 *cloud.Client
	region            string // of the source image
	sourceID          string
	owner             string // TagOwner of the copies (see claimCopyOwner)
	name, description string
	// owned is true when this resource created the source image.
	owned           bool
	kind            string
	shares          []string
	deleteSnapshots bool
}

func (r *replicatedImageResource) newWork(m replicatedImageModel, sourceID, kind string) *rimgWork {
	return &rimgWork{
		c: r.client, region: r.client.RegionOr(m.Region.ValueString()), sourceID: sourceID, owner: sourceID,
		name: m.Name.ValueString(), description: m.Description.ValueString(),
		owned: kind != replication.SourceImage, kind: kind,
		shares:          knownStrings(context.Background(), m.ShareWithAccounts),
		deleteSnapshots: m.DeleteSnapshotsOnDestroy.ValueBool(),
	}
}

type rimgErr struct {
	summary string
	err     error
}

type workResult struct {
	targets map[string]rimgTargetModel
	export  *rimgExportModel
	errs    []rimgErr
	// unshared lists encrypted images left out of share_with_accounts.
	unshared []string
}

// apply brings the copies from current to desired and the export from
// oldEx to newEx. syncKept renames and re-shares the copies that stay (and
// the source image when owned). Removals run first, then new copies and the
// export in parallel.
func (w *rimgWork) apply(ctx context.Context, current, desired map[string]rimgTargetModel, oldEx, newEx *rimgExportModel, syncKept bool) workResult {
	out := workResult{targets: map[string]rimgTargetModel{}}
	var mu sync.Mutex
	fail := func(summary string, err error) {
		mu.Lock()
		out.errs = append(out.errs, rimgErr{summary, err})
		mu.Unlock()
	}
	share := func(region, id string) error {
		skipped, err := w.reconcileShares(ctx, region, id)
		if skipped {
			mu.Lock()
			out.unshared = append(out.unshared, id+" ("+region+")")
			mu.Unlock()
		}
		return err
	}
	steps := replication.PlanTargets(rimgDomainTargets(current), rimgDomainTargets(desired))
	for _, s := range steps {
		tflog.Debug(ctx, "replicated image target", map[string]any{"target_region": s.Region, "action": s.Action.String()})
		if s.Action == replication.Keep {
			t := current[s.Region]
			t.KMSKeyID = desired[s.Region].KMSKeyID
			out.targets[s.Region] = t
		}
	}

	removals := replication.Regions(steps, replication.Delete, replication.Replace)
	removeErrs := rimgParallel(removals, func(region string) error {
		return w.removeCopies(ctx, region, current[region].ImageID.ValueString())
	})
	blocked := map[string]bool{}
	for i, err := range removeErrs {
		if err != nil {
			region := removals[i]
			fail("Failed to delete the copy in "+region, err)
			out.targets[region] = current[region] // still there
			blocked[region] = true
		}
	}

	var adds []string
	for _, region := range replication.Regions(steps, replication.Create, replication.Replace) {
		if !blocked[region] {
			adds = append(adds, region)
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ex, err := w.syncExport(ctx, oldEx, newEx)
		if err != nil {
			fail("Failed to export image "+w.sourceID, err)
		}
		mu.Lock()
		out.export = ex
		mu.Unlock()
	}()
	if syncKept {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w.owned {
				if err := share(w.region, w.sourceID); err != nil {
					fail("Failed to share image "+w.sourceID, err)
				}
			}
			for _, s := range steps {
				if s.Action != replication.Keep {
					continue
				}
				id := current[s.Region].ImageID.ValueString()
				if err := w.c.ModifyImageAttribute(ctx, s.Region, id, w.name, w.description); err != nil {
					fail("Failed to rename the copy in "+s.Region, err)
				}
				if err := share(s.Region, id); err != nil {
					fail("Failed to share the copy in "+s.Region, err)
				}
			}
		}()
	}
	results := make([]rimgTargetModel, len(adds))
	errs := rimgParallel(adds, func(region string) error {
		t, err := w.ensureCopy(ctx, region, desired[region].KMSKeyID, share)
		mu.Lock()
		for i, a := range adds {
			if a == region {
				results[i] = t
			}
		}
		mu.Unlock()
		return err
	})
	wg.Wait()
	for i, region := range adds {
		if errs[i] != nil {
			fail("Failed to copy image "+w.sourceID+" to "+region, errs[i])
		}
		// A copy that exists is recorded even when a later step failed, so
		// it is in state (and deleted with the resource), never orphaned.
		if id := results[i].ImageID.ValueString(); id != "" {
			out.targets[region] = results[i]
		}
	}
	sort.Strings(out.unshared)
	return out
}

func rimgDomainTargets(m map[string]rimgTargetModel) map[string]replication.Target {
	out := make(map[string]replication.Target, len(m))
	for region, t := range m {
		out[region] = replication.Target{KMSKeyID: t.KMSKeyID.ValueString()}
	}
	return out
}

// copyTags are the tags of every copy of the source image.
func (w *rimgWork) copyTags() map[string]string {
	return map[string]string{cloud.TagOwner: w.owner, cloud.TagManagedBy: rimgManagedBy}
}

// rimgParallel runs fn for every item at once and returns the errors in
// item order.
func rimgParallel(items []string, fn func(string) error) []error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	return errs
}

func rimgSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
