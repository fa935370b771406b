package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Run executes the spec's checks (checksum and boot test in parallel),
// then the RTO check, then tags the verified points when everything
// passed. It never returns an error: every problem is a failed check.
func Run(ctx context.Context, b Backend, clk Clock, s Spec) *Result {
	if clk == nil {
		clk = RealClock{}
	}
	r := &Result{RunID: s.RunID, Name: s.Name, StartedAt: clk.Now().UTC(), VerifiedPoints: s.VerifiedPoints}
	if r.RunID == "" {
		r.RunID = NewRunID(r.StartedAt)
	}
	var (
		wg             sync.WaitGroup
		sumCk, bootCk  Check
		haveSum, haveB bool
	)
	if s.Checksum != nil {
		haveSum = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := clk.Now()
			sumCk, r.Checksum = runChecksum(ctx, b, *s.Checksum)
			sumCk.Duration = clk.Now().Sub(t0)
		}()
	}
	if s.BootTest != nil {
		haveB = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := clk.Now()
			bootCk, r.Boot = runBoot(ctx, b, clk, s.Region, *s.BootTest, s.log)
			bootCk.Duration = clk.Now().Sub(t0)
		}()
	}
	wg.Wait()
	if haveSum {
		r.Checks = append(r.Checks, sumCk)
	}
	if haveB {
		r.Checks = append(r.Checks, bootCk)
	}

	if s.HasRestore {
		d := s.RestoreDuration
		r.RestoreDuration = &d
	}
	r.MeasuredRTO = measuredRTO(s, r.Boot)
	if s.RTOTarget > 0 {
		t := s.RTOTarget
		r.RTOTarget = &t
		r.Checks = append(r.Checks, rtoCheck(s, r.Boot, r.MeasuredRTO))
	}

	r.FinishedAt = clk.Now().UTC()
	if len(s.VerifiedPoints) > 0 {
		if r.Failed() {
			r.Checks = append(r.Checks, Check{Name: CheckTagging, Status: StatusSkipped,
				Detail: "not tagged: the run failed, so " + strings.Join(s.VerifiedPoints, ", ") + " stay unverified"})
		} else {
			t0 := clk.Now()
			ck := tagPoints(ctx, b, s.Region, s.VerifiedPoints, r.RunID, r.FinishedAt)
			ck.Duration = clk.Now().Sub(t0)
			if ck.Status == StatusPassed {
				r.Tagged = append([]string(nil), s.VerifiedPoints...)
			}
			r.Checks = append(r.Checks, ck)
		}
	}
	r.Status = StatusPassed
	if r.Failed() {
		r.Status = StatusFailed
	}
	for _, c := range r.Checks {
		s.log("verification check "+c.Status, map[string]any{"run_id": r.RunID, "check": c.Name, "detail": c.Detail})
	}
	return r
}

// measuredRTO is the restore duration plus the boot test's time to
// healthy, or nil when the service never became healthy or nothing was
// measured.
func measuredRTO(s Spec, boot *BootResult) *time.Duration {
	var d time.Duration
	switch {
	case boot != nil && !boot.Healthy:
		return nil
	case boot != nil:
		d = boot.TimeToHealthy
	case !s.HasRestore:
		return nil
	}
	if s.HasRestore {
		d += s.RestoreDuration
	}
	return &d
}

func rtoCheck(s Spec, boot *BootResult, measured *time.Duration) Check {
	c := Check{Name: CheckRTO, Status: StatusFailed}
	target := FormatDuration(s.RTOTarget)
	if measured == nil {
		if boot != nil {
			c.Detail = fmt.Sprintf("the service never became healthy during the boot test, so the RTO target %s is not met", target)
		} else {
			c.Detail = fmt.Sprintf("nothing measured the RTO: set restore_duration or add a boot_test (target %s)", target)
		}
		return c
	}
	var terms []string
	if s.HasRestore {
		terms = append(terms, "restore "+FormatDuration(s.RestoreDuration))
	}
	if boot != nil {
		terms = append(terms, "healthy after "+FormatDuration(boot.TimeToHealthy))
	}
	how := strings.Join(terms, " + ")
	if *measured <= s.RTOTarget {
		c.Status = StatusPassed
		c.Detail = fmt.Sprintf("measured RTO %s (%s) is within the target %s", FormatDuration(*measured), how, target)
	} else {
		c.Detail = fmt.Sprintf("measured RTO %s (%s) exceeds the target %s by %s", FormatDuration(*measured), how, target,
			FormatDuration(*measured-s.RTOTarget))
	}
	return c
}

// maxTagIDs is the TagResources limit on ResourceId.N.
const maxTagIDs = 50

// VerifiedTags are the tags a passed run writes on its points.
func VerifiedTags(runID string, at time.Time) map[string]string {
	return map[string]string{
		tagVerifiedAt:      at.UTC().Format(time.RFC3339),
		tagVerificationRun: runID,
	}
}

func tagPoints(ctx context.Context, b Backend, region string, points []string, runID string, at time.Time) Check {
	c := Check{Name: CheckTagging}
	byType := map[string][]string{}
	for _, p := range points {
		t, err := PointType(p)
		if err != nil {
			c.Status, c.Detail = StatusFailed, err.Error()
			return c
		}
		byType[t] = append(byType[t], p)
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	tags := VerifiedTags(runID, at)
	var done []string
	for _, t := range types {
		ids := byType[t]
		for i := 0; i < len(ids); i += maxTagIDs {
			chunk := ids[i:min(len(ids), i+maxTagIDs)]
			if err := b.TagResources(ctx, region, t, chunk, tags); err != nil {
				c.Status = StatusFailed
				c.Detail = fmt.Sprintf("tagging %s %s as verified failed: %v", t, strings.Join(chunk, ", "), err)
				if len(done) > 0 {
					c.Detail += "; already tagged: " + strings.Join(done, ", ")
				}
				return c
			}
			done = append(done, chunk...)
		}
	}
	c.Status = StatusPassed
	c.Detail = fmt.Sprintf("tagged %s with %s=%s and %s=%s", strings.Join(points, ", "),
		tagVerifiedAt, tags[tagVerifiedAt], tagVerificationRun, runID)
	return c
}
