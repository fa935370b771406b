package restore

import "time"

// Start returns when a restore began. start is this run's first call;
// recorded is the start an earlier run wrote on the instance (RFC 3339, ""
// when none); created is the cloud's CreationTime of the instance
// (DescribeInstances: "2006-01-02T15:04Z", minute precision) or of the
// restore's temporary image (DescribeImages: "2006-01-02T15:04:05Z"). A run
// killed after its create call leaves an object that the next run adopts:
// the RTO then counts from the earlier start, not from the adoption, which
// would report the boot time alone. An object whose creation minute (or
// second) ended before start predates this run; its start is then taken as
// that minute's beginning (an RTO at most 59s too long, never too short).
// The creation time is the cloud's clock, start the local one: a creation
// more than MaxAdoptedAge before start says the clocks disagree, not that a
// killed run left the object, and is ignored.
func Start(start time.Time, recorded, created string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, recorded); err == nil && t.Before(start) {
		start = t
	}
	for _, f := range []struct {
		layout    string
		precision time.Duration
	}{{"2006-01-02T15:04Z", time.Minute}, {"2006-01-02T15:04:05Z", time.Second}} {
		if t, err := time.Parse(f.layout, created); err == nil && !t.Add(f.precision).After(start) && start.Sub(t) <= MaxAdoptedAge {
			return t
		}
	}
	return start
}

// MaxAdoptedAge bounds how long before a re-run a killed run can have
// created what the re-run adopts: a killed apply is re-run within hours.
const MaxAdoptedAge = 24 * time.Hour
