package drpolicy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

const week = 7 * 24 * time.Hour

// Slot is one scheduled snapshot start within the repeating week.
type Slot struct {
	Weekday time.Weekday
	Hour    int
}

func (s Slot) String() string {
	return fmt.Sprintf("%s %02d:00", s.Weekday.String()[:3], s.Hour)
}

// offset is the slot's position in a week that starts Monday 00:00, the ECS
// week (repeatWeekdays 1 = Monday).
func (s Slot) offset() time.Duration {
	return time.Duration((ecsIndex(s.Weekday)-1)*24+s.Hour) * time.Hour
}

func slotAt(off time.Duration) Slot {
	off = ((off % week) + week) % week
	h := int(off / time.Hour)
	return Slot{Weekday: fromECSIndex(h/24 + 1), Hour: h % 24}
}

// Gap is the time between two consecutive scheduled snapshots.
type Gap struct {
	Duration time.Duration
	From, To Slot
}

// String reads like "Fri 14:00 -> Mon 02:00 is 60h".
func (g Gap) String() string {
	return fmt.Sprintf("%s -> %s is %s", g.From, g.To, formatHours(g.Duration))
}

// formatHours prints whole-hour durations as "60h" rather than Go's "60h0m0s".
func formatHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// slots returns the schedule's snapshot starts in week order, ignoring
// invalid and duplicate entries (Validate reports those).
func (s Schedule) slots() []Slot {
	c := s.Canonical()
	out := make([]Slot, 0, len(c.Hours)*len(c.Weekdays))
	for _, d := range c.Weekdays {
		for _, h := range c.Hours {
			out = append(out, Slot{Weekday: d, Hour: h})
		}
	}
	return out // Canonical orders Monday first, hours ascending: already sorted.
}

// EffectiveRPO is the longest gap between consecutive snapshots over the
// repeating week, wrapping from Sunday to Monday: the most data a failure can
// cost. A single snapshot a week gives a 168h gap from the slot to itself.
// Ties go to the gap that starts earliest in the week. A schedule without time
// points or weekdays gives the zero Gap; call Validate first.
func EffectiveRPO(s Schedule) Gap {
	slots := s.slots()
	var best Gap
	for i, from := range slots {
		to := slots[(i+1)%len(slots)]
		d := to.offset() - from.offset()
		if d <= 0 {
			d += week // wrap-around, or a single slot reaching itself
		}
		if d > best.Duration {
			best = Gap{Duration: d, From: from, To: to}
		}
	}
	return best
}

// CheckRPO returns nil when no gap in s exceeds target. Otherwise the error
// gives the target, the effective RPO, the gap responsible and a change to the
// schedule that meets the target.
func CheckRPO(s Schedule, target time.Duration) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if target < time.Hour {
		return fmt.Errorf("target RPO %s cannot be met: ECS snapshots start on whole hours, so the shortest possible RPO is 1h (every hour on every day); set the target to 1h or more", target)
	}
	g := EffectiveRPO(s)
	if g.Duration <= target {
		return nil
	}
	fixed := suggest(s, target)
	return fmt.Errorf("effective RPO %s exceeds the target RPO %s: the longest gap between snapshots is %s; %s",
		formatHours(g.Duration), formatHours(target), g, describeFix(s, fixed, target))
}

// suggest grows s greedily until it meets target (>= 1h): while a gap is too
// long it schedules a snapshot exactly target (whole hours) after the gap's
// start, adding the weekday if that day has no snapshots, else the hour. Each
// step adds a weekday or hour not yet present, so it ends after at most 31
// steps; the full schedule has a 1h RPO.
func suggest(s Schedule, target time.Duration) Schedule {
	step := target.Truncate(time.Hour)
	c := s.Canonical()
	for {
		g := EffectiveRPO(c)
		if g.Duration <= target {
			return c
		}
		at := slotAt(g.From.offset() + step)
		if !slices.Contains(c.Weekdays, at.Weekday) {
			c.Weekdays = append(c.Weekdays, at.Weekday)
		} else {
			c.Hours = append(c.Hours, at.Hour)
		}
		c = c.Canonical()
	}
}

func describeFix(orig, fixed Schedule, target time.Duration) string {
	var days, hours []string
	for _, d := range fixed.Weekdays {
		if !slices.Contains(orig.Weekdays, d) {
			days = append(days, WeekdayName(d))
		}
	}
	for _, h := range fixed.Hours {
		if !slices.Contains(orig.Hours, h) {
			hours = append(hours, fmt.Sprintf("%d", h))
		}
	}
	var parts []string
	if len(days) > 0 {
		parts = append(parts, "weekdays "+strings.Join(days, ", "))
	}
	if len(hours) > 0 {
		parts = append(parts, "time points "+strings.Join(hours, ", "))
	}
	return fmt.Sprintf("to meet the %s target add %s (or raise the target RPO to at least %s)",
		formatHours(target), strings.Join(parts, " and "), formatHours(EffectiveRPO(orig).Duration))
}
