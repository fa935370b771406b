package drpolicy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Window is a peak-hour period in which snapshots should not start, on one
// weekday or every day. Start and End are offsets from midnight with
// 0 <= Start < End <= 24h; the window covers [Start, End).
type Window struct {
	Daily   bool
	Weekday time.Weekday // ignored when Daily
	Start   time.Duration
	End     time.Duration
}

const windowHelp = `write it as "MON 08:00-12:00", "DAILY 08:00-12:00" or "* 8-12"`

// ParseWindow parses "MON 08:00-12:00": a weekday (MON..SUN), or DAILY or *
// for every day, then start-end as HH:MM or whole hours (24:00 ends the day).
func ParseWindow(s string) (Window, error) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return Window{}, fmt.Errorf("invalid avoid window %q: %s", s, windowHelp)
	}
	var w Window
	switch day := strings.ToUpper(fields[0]); day {
	case "DAILY", "*":
		w.Daily = true
	default:
		d, err := ParseWeekday(day)
		if err != nil {
			return Window{}, fmt.Errorf("invalid avoid window %q: day %q is not one of %s, DAILY or *", s, fields[0], validWeekdays)
		}
		w.Weekday = d
	}
	span := strings.Join(fields[1:], "")
	from, to, ok := strings.Cut(span, "-")
	if !ok {
		return Window{}, fmt.Errorf("invalid avoid window %q: missing \"-\" between start and end; %s", s, windowHelp)
	}
	var err error
	if w.Start, err = parseClock(from); err != nil {
		return Window{}, fmt.Errorf("invalid avoid window %q: start %w", s, err)
	}
	if w.End, err = parseClock(to); err != nil {
		return Window{}, fmt.Errorf("invalid avoid window %q: end %w", s, err)
	}
	if w.End <= w.Start {
		return Window{}, fmt.Errorf("invalid avoid window %q: end %s is not after start %s; a window that crosses midnight must be split in two, e.g. \"MON 22:00-24:00\" and \"TUE 00:00-02:00\"", s, clock(w.End), clock(w.Start))
	}
	return w, nil
}

// parseClock reads "8", "08", "08:30" or "24:00" as an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	hh, mm, hasMin := strings.Cut(s, ":")
	h, err := strconv.Atoi(hh)
	bad := fmt.Errorf("%q is not a time of day: use HH:MM from 00:00 to 24:00, or a whole hour", s)
	if err != nil || len(hh) > 2 || hh[0] == '+' || hh[0] == '-' {
		return 0, bad
	}
	m := 0
	if hasMin {
		if len(mm) != 2 || mm[0] < '0' || mm[0] > '9' || mm[1] < '0' || mm[1] > '9' {
			return 0, bad
		}
		m, _ = strconv.Atoi(mm)
	}
	if h > 24 || m > 59 || h == 24 && m != 0 {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", d/time.Hour, d%time.Hour/time.Minute)
}

// String gives the canonical spelling, e.g. "MON 08:00-12:00" or
// "DAILY 08:00-12:00"; ParseWindow reads it back.
func (w Window) String() string {
	day := "DAILY"
	if !w.Daily {
		day = WeekdayName(w.Weekday)
	}
	return fmt.Sprintf("%s %s-%s", day, clock(w.Start), clock(w.End))
}

func (w Window) contains(sl Slot) bool {
	if !w.Daily && w.Weekday != sl.Weekday {
		return false
	}
	at := time.Duration(sl.Hour) * time.Hour
	return at >= w.Start && at < w.End
}

// Conflicts lists, as warnings, every scheduled snapshot start that falls
// inside an avoid window, e.g. "time point MON 09:00 falls inside avoid window
// MON 08:00-12:00". For a DAILY window the days sharing an hour are reported
// together: "time point 09:00 on MON, TUE falls inside avoid window DAILY
// 08:00-12:00" ("on every day" when all seven are scheduled). Order follows
// the windows, then the hours.
func Conflicts(s Schedule, ws []Window) []string {
	c := s.Canonical()
	var out []string
	for _, w := range ws {
		for _, h := range c.Hours {
			var days []string
			for _, d := range c.Weekdays {
				if w.contains(Slot{Weekday: d, Hour: h}) {
					days = append(days, WeekdayName(d))
				}
			}
			switch {
			case len(days) == 0:
			case !w.Daily:
				out = append(out, fmt.Sprintf("time point %s %02d:00 falls inside avoid window %s", days[0], h, w))
			default:
				on := strings.Join(days, ", ")
				if len(days) == 7 {
					on = "every day"
				}
				out = append(out, fmt.Sprintf("time point %02d:00 on %s falls inside avoid window %s", h, on, w))
			}
		}
	}
	return slices.Clip(out)
}
