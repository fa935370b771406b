package drpolicy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cron is the schedule as an EBS enterprise snapshot policy's
// Schedule.CronExpression: six Quartz-style fields, seconds first, as in the
// reference's example "0 0 4 1/1 * ?". Day-of-month is "?" because the
// weekdays are listed by name.
func (s Schedule) Cron() string {
	c := s.Canonical()
	hours := make([]string, len(c.Hours))
	for i, h := range c.Hours {
		hours[i] = strconv.Itoa(h)
	}
	days := make([]string, len(c.Weekdays))
	for i, d := range c.Weekdays {
		days[i] = WeekdayName(d)
	}
	return fmt.Sprintf("0 0 %s ? * %s", strings.Join(hours, ","), strings.Join(days, ","))
}

// cronDayNumbers are Quartz day-of-week numbers: 1 = SUN .. 7 = SAT.
var cronDayNumbers = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// ParseCron reads the cron expressions a Schedule can express: snapshots on
// the hour ("0 0 <hours> <*|?> * <weekdays|*|?>"), hours as a list, range or
// step (2,14 | 1-5 | */6), weekdays by name (MON-FRI, SAT,SUN) or Quartz
// number (1 = SUN). Other expressions are valid for the cloud but have no
// effective RPO this provider can compute; the error says which part.
func ParseCron(expr string) (Schedule, error) {
	f := strings.Fields(expr)
	if len(f) != 6 {
		return Schedule{}, fmt.Errorf("cron %q has %d fields: write six, seconds first (\"0 0 2 ? * *\" is 02:00 every day)", expr, len(f))
	}
	if f[0] != "0" || f[1] != "0" {
		return Schedule{}, fmt.Errorf("cron %q starts at second %s, minute %s: snapshots are planned on the hour, so write \"0 0\" for the first two fields", expr, f[0], f[1])
	}
	if (f[3] != "*" && f[3] != "?") || f[4] != "*" {
		return Schedule{}, fmt.Errorf("cron %q restricts the day of month or the month: only hours and weekdays are supported (day-of-month \"?\" or \"*\", month \"*\")", expr)
	}
	var s Schedule
	hours, err := cronSet(f[2], 0, 23, nil)
	if err != nil {
		return Schedule{}, fmt.Errorf("cron %q hour field: %w", expr, err)
	}
	s.Hours = hours
	if f[5] == "*" || f[5] == "?" {
		s.Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	} else {
		names := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
		days, err := cronSet(f[5], 1, 7, names)
		if err != nil {
			return Schedule{}, fmt.Errorf("cron %q day-of-week field: %w", expr, err)
		}
		for _, d := range days {
			s.Weekdays = append(s.Weekdays, cronDayNumbers[d-1])
		}
	}
	s = s.Canonical()
	return s, s.Validate()
}

// cronSet expands a field of values, ranges, lists and steps.
func cronSet(v string, lo, hi int, names []string) ([]int, error) {
	var out []int
	value := func(s string) (int, error) {
		for i, n := range names {
			if strings.EqualFold(s, n) {
				return lo + i, nil
			}
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%q is not a value from %d to %d", s, lo, hi)
		}
		return n, nil
	}
	for _, part := range strings.Split(v, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("step %q is not a positive number", stepText)
			}
			step = n
		}
		from, to := lo, hi
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if from, err = value(a); err != nil {
				return nil, err
			}
			to = from
			if isRange {
				if to, err = value(b); err != nil || to < from {
					return nil, fmt.Errorf("range %q is not a range from %d to %d", rng, lo, hi)
				}
			} else if hasStep {
				to = hi
			}
		}
		for i := from; i <= to; i += step {
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	return out, nil
}
