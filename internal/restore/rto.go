package restore

import (
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// RTO miss policies.
const (
	OnMissWarn = "warn"
	OnMissFail = "fail"
)

// ParseRTO parses an rto_target such as "15m", "1h30m" or "1d".
func ParseRTO(s string) (time.Duration, error) {
	d, err := drpolicy.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("rto_target %q must be longer than zero, e.g. 15m", s)
	}
	return d, nil
}

// RTOMet reports whether a measured restore took no longer than target.
func RTOMet(measured, target time.Duration) bool { return measured <= target }

// FormatDuration renders a measured duration as restore_duration shows it:
// a Go duration rounded to the second below a minute's precision needs,
// e.g. "4m12s", "9s", "0s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Round(time.Second).String()
}

// ParseMeasured reads a restore_duration back.
func ParseMeasured(s string) (time.Duration, error) { return time.ParseDuration(s) }

// RTOMissDetail explains a missed RTO and what can be done about it.
func RTOMissDetail(instanceID string, measured, target time.Duration) string {
	return fmt.Sprintf("Restoring instance %s took %s (from the first API call to Running), longer than rto_target %s. "+
		"Shorten the restore (restore from an image instead of a snapshot, use a smaller system disk, keep images replicated in this region) "+
		"or raise rto_target to what the plan can meet.", instanceID, FormatDuration(measured), target)
}
