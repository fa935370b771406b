package chaos

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Figures sum up a campaign.
type Figures struct {
	Runs, AppliesPassed, DrillsPassed, Orphans, Duplicates, SecretsLeaked int
	// MaxSlowdown is the slowest fault-profile run over the clean run.
	MaxSlowdown float64
}

// Passed reports whether the campaign met its targets.
func (f Figures) Passed() bool {
	return f.AppliesPassed == f.Runs && f.DrillsPassed == f.Runs && f.Orphans == 0 && f.Duplicates == 0 && f.SecretsLeaked == 0
}

// Print writes the figures one per line.
func (f Figures) Print(w io.Writer) {
	fmt.Fprintf(w, "runs=%d\napplies_passed=%d\ndrills_passed=%d\norphans=%d\nduplicates=%d\nsecrets_leaked=%d\nmax_slowdown=%.2f\n",
		f.Runs, f.AppliesPassed, f.DrillsPassed, f.Orphans, f.Duplicates, f.SecretsLeaked, f.MaxSlowdown)
}

// RunAll runs the scenarios in order (the first should be the clean run,
// the time reference) and sums up.
func (c *Campaign) RunAll(ctx context.Context, scenarios []Scenario) (Figures, []Result) {
	var fig Figures
	var results []Result
	var clean time.Duration
	for i, sc := range scenarios {
		c.Log("run %d/%d %s", i+1, len(scenarios), sc.Name())
		r := c.Run(ctx, i+1, sc)
		results = append(results, r)
		c.logResult(r)
		fig.Runs++
		if r.Applied {
			fig.AppliesPassed++
		}
		if r.DrillPassed {
			fig.DrillsPassed++
		}
		fig.Orphans += len(r.Orphans)
		fig.Duplicates += len(r.Duplicates)
		fig.SecretsLeaked += r.Leaks
		switch {
		case sc == Scenario{} && clean == 0:
			clean = r.Duration
		case sc.Fault != "" && clean > 0:
			fig.MaxSlowdown = max(fig.MaxSlowdown, r.Duration.Seconds()/clean.Seconds())
		}
	}
	return fig, results
}

func (c *Campaign) logResult(r Result) {
	c.Log("  %s: applied=%t drill_passed=%t destroyed=%t orphans=%d duplicates=%d leaks=%d in %s",
		r.Scenario.Name(), r.Applied, r.DrillPassed, r.Destroyed, len(r.Orphans), len(r.Duplicates), r.Leaks, r.Duration.Round(time.Second))
	if r.KillMissed {
		c.Log("  the apply ended before %s: nothing was killed", r.Scenario.KillAt)
	}
	for _, o := range r.Orphans {
		c.Log("  orphan: %s", o)
	}
	for _, d := range r.Duplicates {
		c.Log("  duplicate: %s", d)
	}
	for _, l := range r.LeakExamples {
		c.Log("  leak: %s", l)
	}
	if r.Err != nil {
		c.Log("  error: %s", tail(r.Err.Error(), 25))
	}
}
