package emulator

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// policyZone is the time zone automatic snapshot policies are evaluated in.
// The ECS documentation states that timePoints are hours in UTC+8 whatever
// the region, so "2" fires at 18:00 UTC of the previous day; repeatWeekdays
// is evaluated on the same UTC+8 calendar. China has no DST, so a fixed zone
// is exact.
var policyZone = time.FixedZone("UTC+8", 8*60*60)

// schedule is the parsed firing pattern of an automatic snapshot policy.
type schedule struct {
	hours    []int   // sorted, unique, each 0..23
	weekdays [8]bool // 1 = Monday .. 7 = Sunday, as the API numbers them
}

// parseSchedule reads the timePoints and repeatWeekdays parameters, JSON
// arrays such as ["0","12"] and ["1","7"] (numbers are accepted too).
func parseSchedule(timePoints, repeatWeekdays string) (schedule, error) {
	var sc schedule
	hours, err := parseIntArray(timePoints, 0, 23)
	if err != nil || len(hours) == 0 {
		return sc, fmt.Errorf("timePoints")
	}
	days, err := parseIntArray(repeatWeekdays, 1, 7)
	if err != nil || len(days) == 0 {
		return sc, fmt.Errorf("repeatWeekdays")
	}
	seen := map[int]bool{}
	for _, h := range hours {
		if !seen[h] {
			seen[h] = true
			sc.hours = append(sc.hours, h)
		}
	}
	sort.Ints(sc.hours)
	for _, d := range days {
		sc.weekdays[d] = true
	}
	return sc, nil
}

// parseIntArray decodes a JSON array of integers or integer strings and
// checks each value is within [lo, hi].
func parseIntArray(s string, lo, hi int) ([]int, error) {
	var raw []any
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &raw); err != nil {
		return nil, err
	}
	out := make([]int, 0, len(raw))
	for _, v := range raw {
		var n int
		switch x := v.(type) {
		case string:
			i, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil {
				return nil, err
			}
			n = i
		case float64:
			if x != float64(int(x)) {
				return nil, fmt.Errorf("not an integer: %v", x)
			}
			n = int(x)
		default:
			return nil, fmt.Errorf("unexpected element %v", v)
		}
		if n < lo || n > hi {
			return nil, fmt.Errorf("%d out of range", n)
		}
		out = append(out, n)
	}
	return out, nil
}

// timePointsJSON and weekdaysJSON render the schedule as the API returns it:
// a JSON array of strings.
func (sc schedule) timePointsJSON() string { return intsJSON(sc.hours) }

func (sc schedule) weekdaysJSON() string {
	var days []int
	for d := 1; d <= 7; d++ {
		if sc.weekdays[d] {
			days = append(days, d)
		}
	}
	return intsJSON(days)
}

func intsJSON(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// apiWeekday numbers a day as repeatWeekdays does (Monday 1 .. Sunday 7).
func apiWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// each calls fn for every fire time t with from < t <= to, in ascending
// order. It walks calendar days, not minutes, so catching up a clock moved by
// a year costs 365 small iterations.
func (sc schedule) each(from, to time.Time, fn func(time.Time)) {
	if !to.After(from) {
		return
	}
	lf := from.In(policyZone)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, policyZone)
	for !day.After(to) {
		if sc.weekdays[apiWeekday(day)] {
			for _, h := range sc.hours {
				t := day.Add(time.Duration(h) * time.Hour)
				if t.After(from) && !t.After(to) {
					fn(t.UTC())
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
}
