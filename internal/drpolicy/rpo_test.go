package drpolicy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEffectiveRPO(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		want string
	}{
		{"hours 2,14 every day", Schedule{Hours: []int{2, 14}, Weekdays: allDays}, "Mon 02:00 -> Mon 14:00 is 12h"},
		{"hours 2,14 Mon-Fri", Schedule{Hours: []int{2, 14}, Weekdays: monFri}, "Fri 14:00 -> Mon 02:00 is 60h"},
		{"input order does not matter", Schedule{Hours: []int{14, 2}, Weekdays: []time.Weekday{time.Friday, time.Monday, time.Wednesday, time.Tuesday, time.Thursday}}, "Fri 14:00 -> Mon 02:00 is 60h"},
		{"once a week", Schedule{Hours: []int{3}, Weekdays: []time.Weekday{time.Wednesday}}, "Wed 03:00 -> Wed 03:00 is 168h"},
		{"sunday wraps to monday", Schedule{Hours: []int{23}, Weekdays: []time.Weekday{time.Sunday, time.Monday}}, "Mon 23:00 -> Sun 23:00 is 144h"},
		{"uneven hours", Schedule{Hours: []int{1, 2, 20}, Weekdays: allDays}, "Mon 02:00 -> Mon 20:00 is 18h"},
		{"every hour", Schedule{Hours: hoursRange(0, 24), Weekdays: allDays}, "Mon 00:00 -> Mon 01:00 is 1h"},
		{"empty schedule", Schedule{}, " -> "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := EffectiveRPO(tt.s)
			if tt.name == "empty schedule" {
				if g.Duration != 0 {
					t.Fatalf("EffectiveRPO(empty) = %v, want zero gap", g)
				}
				return
			}
			if g.String() != tt.want {
				t.Fatalf("EffectiveRPO = %q, want %q", g, tt.want)
			}
			if ref := bruteForceRPO(tt.s); g.Duration != ref {
				t.Fatalf("EffectiveRPO = %v, brute force says %v", g.Duration, ref)
			}
		})
	}
}

func hoursRange(from, to int) []int {
	var hs []int
	for h := from; h < to; h++ {
		hs = append(hs, h)
	}
	return hs
}

// bruteForceRPO walks two weeks hour by hour and measures the longest time
// without a snapshot, independently of the slot arithmetic.
func bruteForceRPO(s Schedule) time.Duration {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	var last time.Time
	var longest time.Duration
	for h := 0; h < 3*168; h++ {
		at := start.Add(time.Duration(h) * time.Hour)
		if slices.Contains(s.Weekdays, at.Weekday()) && slices.Contains(s.Hours, at.Hour()) {
			if !last.IsZero() && at.Sub(last) > longest {
				longest = at.Sub(last)
			}
			last = at
		}
	}
	return longest
}

func randomSchedule(r *rand.Rand) Schedule {
	var s Schedule
	for len(s.Hours) == 0 || r.IntN(3) > 0 && len(s.Hours) < 6 {
		if h := r.IntN(24); !slices.Contains(s.Hours, h) {
			s.Hours = append(s.Hours, h)
		}
	}
	for len(s.Weekdays) == 0 || r.IntN(2) > 0 && len(s.Weekdays) < 7 {
		if d := time.Weekday(r.IntN(7)); !slices.Contains(s.Weekdays, d) {
			s.Weekdays = append(s.Weekdays, d)
		}
	}
	return s
}

func TestEffectiveRPOMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		s := randomSchedule(r)
		if got, want := EffectiveRPO(s).Duration, bruteForceRPO(s); got != want {
			t.Fatalf("EffectiveRPO(%+v) = %v, brute force %v", s, got, want)
		}
	}
}

func TestCheckRPO(t *testing.T) {
	tests := []struct {
		name   string
		s      Schedule
		target time.Duration
		want   []string // substrings; nil means no error
	}{
		{"meets exactly", Schedule{Hours: []int{2, 14}, Weekdays: allDays}, 12 * time.Hour, nil},
		{"meets loosely", Schedule{Hours: []int{2, 14}, Weekdays: monFri}, 72 * time.Hour, nil},
		{"weekend gap needs weekdays", Schedule{Hours: []int{2, 14}, Weekdays: monFri}, 24 * time.Hour, []string{
			"effective RPO 60h exceeds the target RPO 24h",
			"the longest gap between snapshots is Fri 14:00 -> Mon 02:00 is 60h",
			"to meet the 24h target add weekdays SAT, SUN",
			"or raise the target RPO to at least 60h",
		}},
		{"daily gap needs hours", Schedule{Hours: []int{2}, Weekdays: allDays}, 8 * time.Hour, []string{
			"effective RPO 24h exceeds the target RPO 8h",
			"Mon 02:00 -> Tue 02:00 is 24h",
			"add time points 10, 18 (",
		}},
		{"sub-hour target", Schedule{Hours: hoursRange(0, 24), Weekdays: allDays}, 30 * time.Minute, []string{
			"target RPO 30m0s cannot be met", "shortest possible RPO is 1h",
		}},
		{"invalid schedule", Schedule{Hours: []int{25}, Weekdays: allDays}, time.Hour, []string{"time point 25 is out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRPO(tt.s, tt.target)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckRPO = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckRPO = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CheckRPO error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// The schedule CheckRPO suggests must actually meet the target and only add to
// what the user wrote.
func TestSuggestMeetsTarget(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		s := randomSchedule(r)
		target := time.Duration(1+r.IntN(100)) * time.Hour
		if r.IntN(4) == 0 {
			target += 30 * time.Minute
		}
		fixed := suggest(s, target)
		if err := CheckRPO(fixed, target); err != nil {
			t.Fatalf("suggest(%+v, %v) = %+v still fails: %v", s, target, fixed, err)
		}
		for _, h := range s.Hours {
			if !slices.Contains(fixed.Hours, h) {
				t.Fatalf("suggest dropped hour %d", h)
			}
		}
		for _, d := range s.Weekdays {
			if !slices.Contains(fixed.Weekdays, d) {
				t.Fatalf("suggest dropped weekday %v", d)
			}
		}
	}
}
