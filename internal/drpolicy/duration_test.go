package drpolicy

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"12h", 12 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"12h1d", 36 * time.Hour, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"1.5d", 36 * time.Hour, ""},
		{"0.1d", 144 * time.Minute, ""},
		{"1d1d", 48 * time.Hour, ""},
		{" 2h30m ", 150 * time.Minute, ""},
		{"0", 0, ""},
		{"106751d", 106751 * 24 * time.Hour, ""},
		{"", 0, "duration is empty: use a number with a unit such as 90m, 12h, 7d or 1d12h"},
		{"12", 0, `invalid duration "12": use a number with a unit`},
		{"-1h", 0, `invalid duration "-1h": it must not carry a sign`},
		{"1w", 0, `invalid duration "1w"`},
		{"d", 0, `invalid duration "d": "d" has no number before it`},
		{"1.2.3d", 0, `"1.2.3" days is not a usable number`},
		{"106752d", 0, `"106752" days is not a usable number`},
		{"106751d24h", 0, "longer than the maximum"},
		{"1D", 0, `invalid duration "1D"`},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseDuration: never panics, never negative, agrees with
// time.ParseDuration on plain Go durations, and "Nd" is N*24h.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"12h", "1d12h", "90m", "1.5d", "-1h", "d", "0.000000000001d", "9223372036854775807ns", "1e3h", "µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDuration(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if got < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, got)
		}
		if !strings.Contains(s, "d") {
			if want, err := time.ParseDuration(strings.TrimSpace(s)); err != nil || want != got {
				t.Fatalf("ParseDuration(%q) = %v, time.ParseDuration says %v, %v", s, got, want, err)
			}
		}
		if again, err := ParseDuration(s + "1d"); err == nil && again != got+24*time.Hour {
			t.Fatalf("ParseDuration(%q) = %v but with 1d appended %v", s, got, again)
		}
	})
}
