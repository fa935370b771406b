package drpolicy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const durationHelp = "use a number with a unit such as 90m, 12h, 7d or 1d12h (units: d, h, m, s, ms, us, ns)"

// ParseDuration accepts Go durations plus "d" for 24-hour days, in any order
// and with fractions ("1d12h", "1.5d", "90m"). Negative durations are
// rejected: every caller means a length of time.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("duration is empty: %s", durationHelp)
	}
	if in[0] == '-' || in[0] == '+' {
		return 0, fmt.Errorf("invalid duration %q: it must not carry a sign; %s", s, durationHelp)
	}
	// Split into number+unit terms; "d" terms are summed here, the rest is
	// handed to time.ParseDuration which knows every other unit.
	var days time.Duration
	var rest strings.Builder
	for i := 0; i < len(in); {
		j := i
		for j < len(in) && (in[j] >= '0' && in[j] <= '9' || in[j] == '.') {
			j++
		}
		k := j
		for k < len(in) && !(in[k] >= '0' && in[k] <= '9' || in[k] == '.') {
			k++
		}
		num, unit := in[i:j], in[j:k]
		if num == "" {
			return 0, fmt.Errorf("invalid duration %q: %q has no number before it; %s", s, unit, durationHelp)
		}
		if unit == "d" {
			d, err := parseDays(num)
			if err != nil || days > math.MaxInt64-d {
				return 0, fmt.Errorf("invalid duration %q: %q days is not a usable number of days; %s", s, num, durationHelp)
			}
			days += d
		} else {
			rest.WriteString(in[i:k])
		}
		i = k
	}
	var other time.Duration
	if rest.Len() > 0 {
		var err error
		other, err = time.ParseDuration(rest.String())
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %s", s, durationHelp)
		}
	}
	if other > math.MaxInt64-days {
		return 0, fmt.Errorf("invalid duration %q: longer than the maximum of about 106751 days", s)
	}
	return days + other, nil
}

// parseDays converts "12" or "1.5" days to a Duration exactly, without going
// through float64: the fraction keeps at most 11 digits, below a nanosecond.
func parseDays(num string) (time.Duration, error) {
	intPart, frac, _ := strings.Cut(num, ".")
	if intPart == "" && frac == "" || strings.Contains(frac, ".") {
		return 0, fmt.Errorf("bad number")
	}
	const day = int64(24 * time.Hour)
	var n int64
	if intPart != "" {
		v, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil || v > math.MaxInt64/day {
			return 0, fmt.Errorf("too large")
		}
		n = v * day
	}
	if len(frac) > 11 {
		frac = frac[:11]
	}
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, err
		}
		// day = 864 * 10^11 ns, so f/10^len * day = f * 864 * 10^(11-len).
		add := f * 864
		for range 11 - len(frac) {
			add *= 10
		}
		if n > math.MaxInt64-add {
			return 0, fmt.Errorf("too large")
		}
		n += add
	}
	return time.Duration(n), nil
}
