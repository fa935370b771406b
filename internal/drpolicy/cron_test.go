package drpolicy

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCronRoundTrip(t *testing.T) {
	s := Schedule{Hours: []int{14, 2}, Weekdays: []time.Weekday{time.Sunday, time.Monday}}
	if got := s.Cron(); got != "0 0 2,14 ? * MON,SUN" {
		t.Fatalf("Cron() = %q", got)
	}
	back, err := ParseCron(s.Cron())
	if err != nil || !slices.Equal(back.Hours, []int{2, 14}) || !slices.Equal(back.Weekdays, []time.Weekday{time.Monday, time.Sunday}) {
		t.Fatalf("ParseCron(Cron()) = %+v, %v", back, err)
	}
}

func TestParseCron(t *testing.T) {
	for expr, want := range map[string]Schedule{
		"0 0 4 ? * *":         {Hours: []int{4}, Weekdays: []time.Weekday{1, 2, 3, 4, 5, 6, 0}},
		"0 0 */6 * * MON-FRI": {Hours: []int{0, 6, 12, 18}, Weekdays: []time.Weekday{1, 2, 3, 4, 5}},
		"0 0 1-3 ? * 1,7":     {Hours: []int{1, 2, 3}, Weekdays: []time.Weekday{6, 0}}, // Quartz: 1 = SUN, 7 = SAT
	} {
		got, err := ParseCron(expr)
		if err != nil || !slices.Equal(got.Hours, want.Hours) || !slices.Equal(got.Weekdays, want.Weekdays) {
			t.Errorf("ParseCron(%q) = %+v, %v; want %+v", expr, got, err, want)
		}
	}
	for expr, mention := range map[string]string{
		"0 2 * * *":        "six",
		"0 30 2 ? * *":     "on the hour",
		"0 0 4 1/1 * ?":    "day of month",
		"0 0 24 ? * *":     "hour field",
		"0 0 2 ? * FUNDAY": "day-of-week",
	} {
		if _, err := ParseCron(expr); err == nil || !strings.Contains(err.Error(), mention) {
			t.Errorf("ParseCron(%q) = %v, want an error mentioning %q", expr, err, mention)
		}
	}
}
