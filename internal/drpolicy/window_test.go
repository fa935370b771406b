package drpolicy

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    Window
		wantErr string
	}{
		{"MON 08:00-12:00", Window{Weekday: time.Monday, Start: 8 * time.Hour, End: 12 * time.Hour}, ""},
		{"sun 8-12", Window{Weekday: time.Sunday, Start: 8 * time.Hour, End: 12 * time.Hour}, ""},
		{"DAILY 08:30-09:15", Window{Daily: true, Start: 8*time.Hour + 30*time.Minute, End: 9*time.Hour + 15*time.Minute}, ""},
		{"* 22:00 - 24:00", Window{Daily: true, Start: 22 * time.Hour, End: 24 * time.Hour}, ""},
		{"  daily   0-1 ", Window{Daily: true, Start: 0, End: time.Hour}, ""},
		{"MON 22:00-02:00", Window{}, `end 02:00 is not after start 22:00; a window that crosses midnight must be split in two`},
		{"MON 08:00-08:00", Window{}, "end 08:00 is not after start 08:00"},
		{"MONDAY 08:00-12:00", Window{}, `day "MONDAY" is not one of MON, TUE, WED, THU, FRI, SAT, SUN, DAILY or *`},
		{"08:00-12:00", Window{}, `invalid avoid window "08:00-12:00": write it as "MON 08:00-12:00"`},
		{"MON 08:00", Window{}, `missing "-" between start and end`},
		{"MON 25:00-26:00", Window{}, `start "25:00" is not a time of day`},
		{"MON 08:60-09:00", Window{}, `start "08:60" is not a time of day`},
		{"MON 08:00-24:30", Window{}, `end "24:30" is not a time of day`},
		{"MON 8:5-9", Window{}, `start "8:5" is not a time of day`},
		{"MON +8-9", Window{}, `start "+8" is not a time of day`},
		{"MON 08:00-12:00-13:00", Window{}, `end "12:00-13:00" is not a time of day`},
		{"", Window{}, "write it as"},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseWindow(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseWindow(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestWindowString(t *testing.T) {
	for in, want := range map[string]string{
		"mon 8-12":         "MON 08:00-12:00",
		"* 8:30-24":        "DAILY 08:30-24:00",
		"DAILY 00:00-01:5": "",
	} {
		w, err := ParseWindow(in)
		if want == "" {
			if err == nil {
				t.Errorf("ParseWindow(%q) accepted", in)
			}
			continue
		}
		if err != nil || w.String() != want {
			t.Errorf("ParseWindow(%q).String() = %q, %v; want %q", in, w.String(), err, want)
		}
	}
}

func mustWindows(t *testing.T, specs ...string) []Window {
	t.Helper()
	var ws []Window
	for _, s := range specs {
		w, err := ParseWindow(s)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	return ws
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		name    string
		s       Schedule
		windows []string
		want    []string
	}{
		{"inside a weekday window", Schedule{Hours: []int{2, 9}, Weekdays: allDays}, []string{"MON 08:00-12:00"},
			[]string{"time point MON 09:00 falls inside avoid window MON 08:00-12:00"}},
		{"end is exclusive, start inclusive", Schedule{Hours: []int{8, 12}, Weekdays: []time.Weekday{time.Monday}}, []string{"MON 08:00-12:00"},
			[]string{"time point MON 08:00 falls inside avoid window MON 08:00-12:00"}},
		{"minute window misses the hour", Schedule{Hours: []int{9}, Weekdays: allDays}, []string{"DAILY 09:01-10:00"}, nil},
		{"window on an unscheduled day", Schedule{Hours: []int{9}, Weekdays: monFri}, []string{"SAT 00:00-24:00"}, nil},
		{"daily window groups days", Schedule{Hours: []int{9, 10, 20}, Weekdays: []time.Weekday{time.Wednesday, time.Monday}}, []string{"* 09:00-11:00"},
			[]string{
				"time point 09:00 on MON, WED falls inside avoid window DAILY 09:00-11:00",
				"time point 10:00 on MON, WED falls inside avoid window DAILY 09:00-11:00",
			}},
		{"daily window every day", Schedule{Hours: []int{9}, Weekdays: allDays}, []string{"DAILY 08:00-10:00"},
			[]string{"time point 09:00 on every day falls inside avoid window DAILY 08:00-10:00"}},
		{"several windows in order", Schedule{Hours: []int{9, 13}, Weekdays: []time.Weekday{time.Friday}}, []string{"FRI 12:00-14:00", "FRI 08:00-10:00", "TUE 08:00-10:00"},
			[]string{
				"time point FRI 13:00 falls inside avoid window FRI 12:00-14:00",
				"time point FRI 09:00 falls inside avoid window FRI 08:00-10:00",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Conflicts(tt.s, mustWindows(t, tt.windows...))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Conflicts =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// FuzzParseWindow: never panics; whatever parses is well formed and its
// String form parses back to the same window.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"MON 08:00-12:00", "DAILY 08:00-12:00", "* 8-12", "MON 22:00-02:00", "sun 00:00 - 24:00", "x", "MON -", "MON 1:-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWindow(s)
		if err != nil {
			if !strings.Contains(err.Error(), "avoid window") {
				t.Fatalf("error %q does not name the window", err)
			}
			return
		}
		if w.Start < 0 || w.End > 24*time.Hour || w.End <= w.Start || w.Start%time.Minute != 0 || w.End%time.Minute != 0 {
			t.Fatalf("ParseWindow(%q) = %+v, not a valid window", s, w)
		}
		if !w.Daily && (w.Weekday < time.Sunday || w.Weekday > time.Saturday) {
			t.Fatalf("ParseWindow(%q) weekday %d", s, w.Weekday)
		}
		back, err := ParseWindow(w.String())
		if err != nil || back != w {
			t.Fatalf("ParseWindow(%q).String() = %q parses to %+v, %v", s, w.String(), back, err)
		}
	})
}
