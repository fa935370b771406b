package drpolicy

import (
	"fmt"
	"strings"
)

// Enterprise policies (EBS 2021-07-30) keep tiers by themselves: RetainRule
// keeps every snapshot DailyDays days, and SpecialRetainRules keep the first
// snapshot of each week, month and year longer. Their TimeUnit is DAYS or
// WEEKS only (the reference), so months and years are written in days, long
// enough that N calendar months or years are always covered.
const (
	daysPerMonth   = 31
	daysPerYear    = 366
	maxWeeklyWeeks = 5200 // 100 years, as the other tiers' bounds
)

// Tiers is a Retention with the weekly tier enterprise policies add:
// "7+4w+3+1" keeps the first snapshot of each week WeeklyWeeks weeks.
type Tiers struct {
	Retention
	WeeklyWeeks int
}

// Validate checks the tiers; DailyDays must be a number of days (an
// enterprise RetainRule has no "forever").
func (t Tiers) Validate() error {
	if err := t.Retention.Validate(); err != nil {
		return err
	}
	if t.WeeklyWeeks < 0 || t.WeeklyWeeks > maxWeeklyWeeks {
		return fmt.Errorf("weekly retention %d weeks is out of range: use 0 (no weekly tier) to %d weeks", t.WeeklyWeeks, maxWeeklyWeeks)
	}
	return nil
}

// String reads like "7+4w+3+1", or "7+3+1" without a weekly tier.
func (t Tiers) String() string {
	if t.WeeklyWeeks == 0 {
		return t.Retention.String()
	}
	d, rest, _ := strings.Cut(t.Retention.String(), "+")
	return fmt.Sprintf("%s+%dw+%s", d, t.WeeklyWeeks, rest)
}

// SpecialRule is one SpecialRetainRules rule: the first snapshot of each
// Period (WEEKS, MONTHS, YEARS) is kept Interval Unit (DAYS, WEEKS).
type SpecialRule struct {
	Period, Unit string
	Interval     int
}

// SpecialRules are the enterprise rules of r's weekly, monthly and yearly
// tiers, weeks first.
func (r Tiers) SpecialRules() []SpecialRule {
	var out []SpecialRule
	if r.WeeklyWeeks > 0 {
		out = append(out, SpecialRule{Period: "WEEKS", Unit: "WEEKS", Interval: r.WeeklyWeeks})
	}
	if r.MonthlyMonths > 0 {
		out = append(out, SpecialRule{Period: "MONTHS", Unit: "DAYS", Interval: r.MonthlyMonths * daysPerMonth})
	}
	if r.YearlyYears > 0 {
		out = append(out, SpecialRule{Period: "YEARS", Unit: "DAYS", Interval: r.YearlyYears * daysPerYear})
	}
	return out
}

// FromSpecialRules sets r's tiers from rules the cloud reports. A rule this
// provider did not write (another unit, another length) is read as the
// smallest tier that covers it, so the next plan shows the change back.
func (r *Tiers) FromSpecialRules(rules []SpecialRule) {
	r.WeeklyWeeks, r.MonthlyMonths, r.YearlyYears = 0, 0, 0
	for _, rule := range rules {
		days := rule.Interval
		if rule.Unit == "WEEKS" {
			days *= 7
		}
		ceil := func(per int) int { return (days + per - 1) / per }
		switch rule.Period {
		case "WEEKS":
			r.WeeklyWeeks = ceil(7)
		case "MONTHS":
			r.MonthlyMonths = ceil(daysPerMonth)
		case "YEARS":
			r.YearlyYears = ceil(daysPerYear)
		}
	}
}
