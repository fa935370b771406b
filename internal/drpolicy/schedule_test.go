package drpolicy

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	allDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	monFri  = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
)

func TestParseWeekday(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Weekday
		wantErr string
	}{
		{"MON", time.Monday, ""},
		{"tue", time.Tuesday, ""},
		{" Wed ", time.Wednesday, ""},
		{"THU", time.Thursday, ""},
		{"fri", time.Friday, ""},
		{"Sat", time.Saturday, ""},
		{"SUN", time.Sunday, ""},
		{"MONDAY", 0, `invalid weekday "MONDAY": use one of MON, TUE, WED, THU, FRI, SAT, SUN`},
		{"", 0, `invalid weekday "": use one of`},
		{"1", 0, `invalid weekday "1"`},
	}
	for _, tt := range tests {
		got, err := ParseWeekday(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseWeekday(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseWeekday(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if WeekdayName(got) != strings.ToUpper(strings.TrimSpace(tt.in)) {
			t.Errorf("WeekdayName(%v) = %q, not the spelling parsed", got, WeekdayName(got))
		}
	}
}

func TestWeekdayNameOutOfRange(t *testing.T) {
	if got := WeekdayName(9); got != "Weekday(9)" {
		t.Fatalf("WeekdayName(9) = %q", got)
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name    string
		s       Schedule
		wantErr string
	}{
		{"valid", Schedule{Hours: []int{0, 23}, Weekdays: allDays}, ""},
		{"no hours", Schedule{Weekdays: allDays}, "no time points: set at least one hour between 0 and 23"},
		{"no weekdays", Schedule{Hours: []int{2}}, "no weekdays: set at least one of MON, TUE"},
		{"hour 24", Schedule{Hours: []int{2, 24}, Weekdays: allDays}, "time point 24 is out of range"},
		{"hour -1", Schedule{Hours: []int{-1}, Weekdays: allDays}, "time point -1 is out of range"},
		{"duplicate hour", Schedule{Hours: []int{2, 14, 2}, Weekdays: allDays}, "time point 2 is listed twice"},
		{"duplicate weekday", Schedule{Hours: []int{2}, Weekdays: []time.Weekday{time.Friday, time.Friday}}, "weekday FRI is listed twice"},
		{"bad weekday", Schedule{Hours: []int{2}, Weekdays: []time.Weekday{9}}, "weekday 9 is not a weekday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestECSConversion(t *testing.T) {
	tests := []struct {
		name     string
		weekdays []time.Weekday
		hours    []int
		wantDays []string
		wantTP   []string
	}{
		{"monday is 1, sunday is 7", []time.Weekday{time.Sunday, time.Monday}, []int{14, 2}, []string{"1", "7"}, []string{"2", "14"}},
		{"all days", allDays, []int{0}, []string{"1", "2", "3", "4", "5", "6", "7"}, []string{"0"}},
		{"duplicates dropped", []time.Weekday{time.Saturday, time.Saturday}, []int{23, 23}, []string{"6"}, []string{"23"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days, tp := ECSWeekdays(tt.weekdays), ECSTimePoints(tt.hours)
			if !slices.Equal(days, tt.wantDays) || !slices.Equal(tp, tt.wantTP) {
				t.Fatalf("got weekdays %v time points %v, want %v %v", days, tp, tt.wantDays, tt.wantTP)
			}
			back, err := FromECS(tp, days)
			if err != nil {
				t.Fatalf("FromECS: %v", err)
			}
			want := Schedule{Hours: tt.hours, Weekdays: tt.weekdays}.Canonical()
			if !slices.Equal(back.Hours, want.Hours) || !slices.Equal(back.Weekdays, want.Weekdays) {
				t.Fatalf("round trip = %+v, want %+v", back, want)
			}
		})
	}
}

func TestFromECS(t *testing.T) {
	tests := []struct {
		name      string
		tp, rw    []string
		wantHours []int
		wantDays  []time.Weekday
		wantErr   string
	}{
		{"canonical order", []string{"14", " 2"}, []string{"7", "1", "5"}, []int{2, 14}, []time.Weekday{time.Monday, time.Friday, time.Sunday}, ""},
		{"hour 24", []string{"24"}, []string{"1"}, nil, nil, `ECS returned time point "24": expected an hour between 0 and 23`},
		{"weekday 0", []string{"1"}, []string{"0"}, nil, nil, `ECS returned repeat weekday "0": expected 1 (Monday) to 7 (Sunday)`},
		{"weekday text", []string{"1"}, []string{"MON"}, nil, nil, `repeat weekday "MON"`},
		{"no weekdays", []string{"1"}, nil, nil, nil, "incomplete: the schedule has no weekdays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromECS(tt.tp, tt.rw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got.Hours, tt.wantHours) || !slices.Equal(got.Weekdays, tt.wantDays) {
				t.Fatalf("FromECS = %+v, %v; want %v %v", got, err, tt.wantHours, tt.wantDays)
			}
		})
	}
}
