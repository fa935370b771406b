package restore

import (
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// PointQuery is the recovery_point form of a restore source: the newest
// snapshot of a disk that matches, resolved once at create time.
type PointQuery struct {
	DiskID       string
	Before       string // RFC 3339; "" for no bound
	MaxAge       string // duration such as "72h" or "3d"; "" for no bound
	OnlyVerified bool
	OnlyLocked   bool
	// Dwell counts back from Before (the attack time) by how long the
	// attacker may have been inside: "72h" picks a point older than
	// Before minus 72 hours. Needs Before.
	Dwell string
}

// Validate checks the query's syntax; findings sit under
// source.recovery_point.
func (q PointQuery) Validate() []Finding {
	var out []Finding
	at := func(name string) []any { return []any{"source", "recovery_point", name} }
	if q.Before != "" {
		if _, err := time.Parse(time.RFC3339, q.Before); err != nil {
			out = append(out, errorAt("Invalid recovery point time",
				fmt.Sprintf("before %q is not an RFC 3339 time; write it like \"2026-11-20T08:00:00Z\" (UTC) or \"2026-11-20T16:00:00+08:00\".", q.Before),
				at("before")...))
		}
	}
	if q.MaxAge != "" {
		if d, err := drpolicy.ParseDuration(q.MaxAge); err != nil {
			out = append(out, errorAt("Invalid recovery point age", "max_age: "+err.Error(), at("max_age")...))
		} else if d == 0 {
			out = append(out, errorAt("Invalid recovery point age", "max_age must be longer than zero, e.g. \"72h\" or \"3d\"; remove it for no bound.", at("max_age")...))
		}
	}
	if q.Dwell != "" {
		switch d, err := drpolicy.ParseDuration(q.Dwell); {
		case err != nil:
			out = append(out, errorAt("Invalid dwell time", "dwell: "+err.Error(), at("dwell")...))
		case d == 0:
			out = append(out, errorAt("Invalid dwell time", "dwell must be longer than zero, e.g. \"72h\"; remove it for no dwell window.", at("dwell")...))
		case q.Before == "":
			out = append(out, errorAt("Dwell time without an attack time",
				"dwell counts back from before: set before to the time the attack was detected, e.g. \"2026-11-20T08:00:00Z\", or remove dwell.", at("dwell")...))
		}
	}
	return out
}

// Filter turns the query into a drpolicy filter anchored at now. Only
// snapshots of region are candidates: images are booted with source.image_id.
func (q PointQuery) Filter(region string, now time.Time) (drpolicy.Filter, error) {
	f := drpolicy.Filter{Now: now, OnlyVerified: q.OnlyVerified, OnlyLocked: q.OnlyLocked, Kinds: []string{"snapshot"}, Regions: []string{region}}
	if q.Before != "" {
		t, err := time.Parse(time.RFC3339, q.Before)
		if err != nil {
			return f, fmt.Errorf("recovery_point.before %q is not an RFC 3339 time", q.Before)
		}
		f.Before = t
	}
	if q.MaxAge != "" {
		d, err := drpolicy.ParseDuration(q.MaxAge)
		if err != nil {
			return f, fmt.Errorf("recovery_point.max_age: %w", err)
		}
		f.MaxAge = d
	}
	if q.Dwell != "" {
		d, err := drpolicy.ParseDuration(q.Dwell)
		if err != nil {
			return f, fmt.Errorf("recovery_point.dwell: %w", err)
		}
		f.Dwell = d
	}
	return f, nil
}

// Choose picks the newest point of points matching q. The error says which
// filter left nothing and what to change.
func (q PointQuery) Choose(points []drpolicy.Point, region string, now time.Time) (drpolicy.Point, error) {
	f, err := q.Filter(region, now)
	if err != nil {
		return drpolicy.Point{}, err
	}
	return drpolicy.Newest(points, f)
}

// PassedOver says why each newer snapshot of the query's region was not
// chosen (too new for the dwell window, not locked, not verified...).
func (q PointQuery) PassedOver(points []drpolicy.Point, region string, now time.Time, chosen drpolicy.Point) []string {
	f, err := q.Filter(region, now)
	if err != nil {
		return nil
	}
	return drpolicy.PassedOver(points, f, chosen)
}
