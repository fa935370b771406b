package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cronSpec is a parsed Schedule.CronExpression of an enterprise snapshot
// policy. The reference (CreateEnterpriseSnapshotPolicy, Schedule
// CronExpression) gives six-field, seconds-first examples in the Quartz
// style: "0 0 4 1/1 * ?" (04:00 every day) and "0 0 */24 * * *". Fields:
// second minute hour day-of-month month day-of-week; "?" means no value,
// day-of-week counts 1 = SUN .. 7 = SAT or takes MON..SUN, months take
// 1..12 or JAN..DEC. Each field takes *, ?, n, a-b, lists a,b and steps
// */n, a/n, a-b/n.
//
// Not stated by the reference, so chosen here and named in the docs: the
// expression is evaluated in UTC+8 (as ECS automatic policies are), and when
// both day fields are restricted a day must match both.
type cronSpec struct {
	seconds, minutes, hours []int
	dom, months, dow        []bool // dom 1..31, months 1..12, dow 1..7 (SUN=1)
	text                    string
}

var (
	cronMonths = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	cronDays   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// parseCron parses a six-field expression; the error names the field.
func parseCron(expr string) (cronSpec, error) {
	f := strings.Fields(expr)
	if len(f) != 6 {
		return cronSpec{}, fmt.Errorf("%q has %d fields, want 6 (second minute hour day-of-month month day-of-week)", expr, len(f))
	}
	c := cronSpec{text: expr}
	var err error
	parse := func(name, v string, lo, hi int, names []string) []bool {
		if err != nil {
			return nil
		}
		var set []bool
		set, err = cronField(v, lo, hi, names)
		if err != nil {
			err = fmt.Errorf("%q: %s field %q: %w", expr, name, v, err)
		}
		return set
	}
	list := func(set []bool) []int {
		var out []int
		for i, ok := range set {
			if ok {
				out = append(out, i)
			}
		}
		return out
	}
	c.seconds = list(parse("second", f[0], 0, 59, nil))
	c.minutes = list(parse("minute", f[1], 0, 59, nil))
	c.hours = list(parse("hour", f[2], 0, 23, nil))
	c.dom = parse("day-of-month", f[3], 1, 31, nil)
	c.months = parse("month", f[4], 1, 12, cronMonths)
	c.dow = parse("day-of-week", f[5], 1, 7, cronDays)
	if err != nil {
		return cronSpec{}, err
	}
	return c, nil
}

// cronField returns the set of values (index = value) a field allows.
func cronField(v string, lo, hi int, names []string) ([]bool, error) {
	set := make([]bool, hi+1)
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
		switch {
		case rng == "*" || rng == "?":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = cronValue(a, lo, hi, names); err != nil {
				return nil, err
			}
			if to, err = cronValue(b, lo, hi, names); err != nil {
				return nil, err
			}
			if to < from {
				return nil, fmt.Errorf("range %q runs backwards", rng)
			}
		default:
			n, err := cronValue(rng, lo, hi, names)
			if err != nil {
				return nil, err
			}
			from = n
			if !hasStep {
				to = n
			}
		}
		for i := from; i <= to; i += step {
			set[i] = true
		}
	}
	return set, nil
}

func cronValue(s string, lo, hi int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return i + lo, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a value from %d to %d", s, lo, hi)
	}
	return n, nil
}

// each calls fn for every fire time t with from < t <= to, ascending, day by
// day in UTC+8 so a year of catching up stays cheap.
func (c cronSpec) each(from, to time.Time, fn func(time.Time)) {
	if !to.After(from) {
		return
	}
	lf := from.In(policyZone)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, policyZone)
	for !day.After(to) {
		if c.months[int(day.Month())] && c.dom[day.Day()] && c.dow[int(day.Weekday())+1] {
			for _, h := range c.hours {
				for _, m := range c.minutes {
					for _, s := range c.seconds {
						t := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
						if t.After(from) && !t.After(to) {
							fn(t.UTC())
						}
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
}
