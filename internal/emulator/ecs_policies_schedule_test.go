package emulator

import (
	"testing"
	"time"
)

func TestPolicyScheduleParse(t *testing.T) {
	sc, err := parseSchedule(`["12","0", "12"]`, `[1, "7"]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.timePointsJSON(); got != `["0","12"]` {
		t.Errorf("timePoints = %s", got)
	}
	if got := sc.weekdaysJSON(); got != `["1","7"]` {
		t.Errorf("weekdays = %s", got)
	}
	for _, bad := range [][2]string{
		{`["24"]`, `["1"]`},
		{`["1"]`, `["0"]`},
		{`["1"]`, `["8"]`},
		{`[]`, `["1"]`},
		{`1`, `["1"]`},
		{`["x"]`, `["1"]`},
		{`["1"]`, `not json`},
	} {
		if _, err := parseSchedule(bad[0], bad[1]); err == nil {
			t.Errorf("parseSchedule(%s, %s) accepted", bad[0], bad[1])
		}
	}
}

func TestPolicyScheduleFiresInUTC8(t *testing.T) {
	// 02:00 UTC+8 on Mondays only.
	sc, err := parseSchedule(`["2"]`, `["1"]`)
	if err != nil {
		t.Fatal(err)
	}
	// Sunday 2026-11-22 00:00 UTC .. Sunday 2026-11-29 00:00 UTC.
	from := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 7)
	var got []time.Time
	sc.each(from, to, func(t time.Time) { got = append(got, t) })
	// Monday 02:00 UTC+8 is Sunday 18:00 UTC.
	want := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	if len(got) != 1 || !got[0].Equal(want) {
		t.Fatalf("fires = %v, want [%v]", got, want)
	}
	if got[0].Location() != time.UTC {
		t.Errorf("fire time not in UTC: %v", got[0].Location())
	}
}

func TestPolicyScheduleBoundsAndOrder(t *testing.T) {
	sc, _ := parseSchedule(`["0","6","18"]`, `["1","2","3","4","5","6","7"]`)
	// from is exactly a fire time (00:00 UTC+8 = 16:00 UTC): excluded; to is
	// a fire time: included.
	from := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	var got []time.Time
	sc.each(from, to, func(t time.Time) { got = append(got, t) })
	want := []time.Time{from.Add(6 * time.Hour), from.Add(18 * time.Hour), to}
	if len(got) != len(want) {
		t.Fatalf("fires = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("fire %d = %v, want %v", i, got[i], want[i])
		}
	}
	// An empty or reversed interval fires nothing.
	n := 0
	sc.each(to, to, func(time.Time) { n++ })
	sc.each(to, from, func(time.Time) { n++ })
	if n != 0 {
		t.Errorf("empty interval fired %d times", n)
	}
}

func TestPolicyScheduleYearCatchUp(t *testing.T) {
	sc, _ := parseSchedule(`["1","13"]`, `["6","7"]`) // weekends, twice a day
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	n := 0
	last := from
	sc.each(from, to, func(at time.Time) {
		if !at.After(last) {
			t.Fatalf("fire times out of order: %v after %v", at, last)
		}
		last = at
		if wd := apiWeekday(at.In(policyZone)); wd != 6 && wd != 7 {
			t.Fatalf("fired on weekday %d", wd)
		}
		n++
	})
	// Count weekend days of the UTC+8 calendar the interval covers. The
	// interval starts at 08:00 UTC+8 on 2026-01-01, so the 01:00 fire of
	// that day is outside it, but 2026-01-01 is a Thursday anyway.
	weekendDays := 0
	for d := time.Date(2026, 1, 1, 0, 0, 0, 0, policyZone); d.Before(to.In(policyZone)); d = d.AddDate(0, 0, 1) {
		if wd := apiWeekday(d); wd == 6 || wd == 7 {
			weekendDays++
		}
	}
	if weekendDays < 100 || n != 2*weekendDays {
		t.Fatalf("fired %d times over a year, want %d", n, 2*weekendDays)
	}
}
