package restore

import (
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 30, 40, 0, time.UTC)
	cases := []struct {
		recorded, created string
		want              time.Time
	}{
		{"", "", now},
		{"", "2026-12-03T12:30Z", now}, // created by this run (minute precision)
		{"", "2026-12-03T12:29Z", time.Date(2026, 12, 3, 12, 29, 0, 0, time.UTC)}, // created before 12:30:00
		{"", "2026-12-03T12:20Z", time.Date(2026, 12, 3, 12, 20, 0, 0, time.UTC)}, // a killed run's instance
		{"2026-12-03T12:25:01.5Z", "2026-12-03T12:25Z", time.Date(2026, 12, 3, 12, 25, 1, 5e8, time.UTC)},
		{"2026-12-03T12:31:00Z", "", now}, // a later record is not a start
		{"garbage", "garbage", now},
		{"", "2026-11-20T12:20Z", now}, // a cloud clock two weeks off
		// An image's CreationTime has seconds.
		{"", "2026-12-03T12:25:10Z", time.Date(2026, 12, 3, 12, 25, 10, 0, time.UTC)}, // a killed run's temporary image
		{"", "2026-12-03T12:30:40Z", now},                                             // created by this run
	}
	for _, c := range cases {
		if got := Start(now, c.recorded, c.created); !got.Equal(c.want) {
			t.Errorf("Start(%q, %q) = %s, want %s", c.recorded, c.created, got, c.want)
		}
	}
}
