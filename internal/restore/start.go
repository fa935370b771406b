package restore

import "time"

// Start returns when a restore began. start is this run's first call;
// recorded is the start an earlier run wrote on the instance (RFC 3339, ""
// when none); created is the cloud's CreationTime of the instance or of the
// restore's temporary image ("2006-01-02T15:04Z", minute precision). A run
// killed after its create call leaves an object that the next run adopts:
// the RTO then counts from the earlier start, not from the adoption, which
// would report the boot time alone. An object whose creation minute ended
// before start predates this run; its start is then taken as that minute's
// beginning (an RTO at most 59s too long, never too short). The creation
// time is the cloud's clock, start the local one: a creation more than
// MaxAdoptedAge before start says the clocks disagree, not that a killed
// run left the object, and is ignored.
func Start(start time.Time, recorded, created string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, recorded); err == nil && t.Before(start) {
		start = t
	}
	if t, err := time.Parse("2006-01-02T15:04Z", created); err == nil && !t.Add(time.Minute).After(start) && start.Sub(t) <= MaxAdoptedAge {
		start = t
	}
	return start
}

// MaxAdoptedAge bounds how long before a re-run a killed run can have
// created what the re-run adopts: a killed apply is re-run within hours.
const MaxAdoptedAge = 24 * time.Hour
