package drpolicy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schedule is when an ECS automatic snapshot policy takes snapshots: at every
// listed hour (0-23, in the policy's region time) on every listed weekday.
type Schedule struct {
	Hours    []int
	Weekdays []time.Weekday
}

// weekdayNames lists the accepted weekday spellings in ECS order (Monday=1).
var weekdayNames = []string{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}

// validWeekdays is the list users see in errors.
var validWeekdays = strings.Join(weekdayNames, ", ")

// ParseWeekday parses "MON".."SUN" (case-insensitive, surrounding spaces
// ignored).
func ParseWeekday(s string) (time.Weekday, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range weekdayNames {
		if u == n {
			return fromECSIndex(i + 1), nil
		}
	}
	return 0, fmt.Errorf("invalid weekday %q: use one of %s", s, validWeekdays)
}

// WeekdayName is the upper-case three-letter name ParseWeekday accepts.
func WeekdayName(d time.Weekday) string {
	if d < time.Sunday || d > time.Saturday {
		return fmt.Sprintf("Weekday(%d)", int(d))
	}
	return weekdayNames[ecsIndex(d)-1]
}

// ecsIndex maps Monday=1 ... Sunday=7 as the ECS repeatWeekdays parameter does.
func ecsIndex(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

func fromECSIndex(i int) time.Weekday {
	if i == 7 {
		return time.Sunday
	}
	return time.Weekday(i)
}

// Validate reports the first problem with s: at least one hour and one weekday,
// hours 0-23, no duplicates.
func (s Schedule) Validate() error {
	if len(s.Hours) == 0 {
		return fmt.Errorf("the schedule has no time points: set at least one hour between 0 and 23")
	}
	if len(s.Weekdays) == 0 {
		return fmt.Errorf("the schedule has no weekdays: set at least one of %s", validWeekdays)
	}
	seen := map[int]bool{}
	for _, h := range s.Hours {
		if h < 0 || h > 23 {
			return fmt.Errorf("time point %d is out of range: hours must be between 0 and 23 (ECS snapshots start on the hour)", h)
		}
		if seen[h] {
			return fmt.Errorf("time point %d is listed twice: remove the duplicate", h)
		}
		seen[h] = true
	}
	seenDay := map[time.Weekday]bool{}
	for _, d := range s.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("weekday %d is not a weekday: use one of %s", int(d), validWeekdays)
		}
		if seenDay[d] {
			return fmt.Errorf("weekday %s is listed twice: remove the duplicate", WeekdayName(d))
		}
		seenDay[d] = true
	}
	return nil
}

// Canonical returns a copy with hours ascending and weekdays Monday first,
// duplicates and out-of-range entries dropped, so two spellings of the same
// schedule compare equal.
func (s Schedule) Canonical() Schedule {
	var c Schedule
	for _, h := range s.Hours {
		if h >= 0 && h <= 23 && !slices.Contains(c.Hours, h) {
			c.Hours = append(c.Hours, h)
		}
	}
	slices.Sort(c.Hours)
	for _, d := range s.Weekdays {
		if d >= time.Sunday && d <= time.Saturday && !slices.Contains(c.Weekdays, d) {
			c.Weekdays = append(c.Weekdays, d)
		}
	}
	slices.SortFunc(c.Weekdays, func(a, b time.Weekday) int { return ecsIndex(a) - ecsIndex(b) })
	return c
}

// ECSWeekdays converts weekdays to the repeatWeekdays values of
// CreateAutoSnapshotPolicy ("1" = Monday ... "7" = Sunday), sorted and without
// duplicates so the request is stable between plans.
func ECSWeekdays(ws []time.Weekday) []string {
	c := Schedule{Weekdays: ws}.Canonical()
	out := make([]string, 0, len(c.Weekdays))
	for _, d := range c.Weekdays {
		out = append(out, strconv.Itoa(ecsIndex(d)))
	}
	return out
}

// ECSTimePoints converts hours to the timePoints values of
// CreateAutoSnapshotPolicy, sorted and without duplicates.
func ECSTimePoints(hours []int) []string {
	c := Schedule{Hours: hours}.Canonical()
	out := make([]string, 0, len(c.Hours))
	for _, h := range c.Hours {
		out = append(out, strconv.Itoa(h))
	}
	return out
}

// FromECS reads a schedule back from an auto snapshot policy's timePoints
// ("0".."23") and repeatWeekdays ("1" = Monday ... "7" = Sunday). The caller
// decodes the JSON arrays ECS returns; the result is canonical and valid.
func FromECS(timePoints, repeatWeekdays []string) (Schedule, error) {
	var s Schedule
	for _, tp := range timePoints {
		h, err := strconv.Atoi(strings.TrimSpace(tp))
		if err != nil || h < 0 || h > 23 {
			return Schedule{}, fmt.Errorf("ECS returned time point %q: expected an hour between 0 and 23", tp)
		}
		s.Hours = append(s.Hours, h)
	}
	for _, rw := range repeatWeekdays {
		i, err := strconv.Atoi(strings.TrimSpace(rw))
		if err != nil || i < 1 || i > 7 {
			return Schedule{}, fmt.Errorf("ECS returned repeat weekday %q: expected 1 (Monday) to 7 (Sunday)", rw)
		}
		s.Weekdays = append(s.Weekdays, fromECSIndex(i))
	}
	s = s.Canonical()
	if err := s.Validate(); err != nil {
		return Schedule{}, fmt.Errorf("the auto snapshot policy read from ECS is incomplete: %w", err)
	}
	return s, nil
}
