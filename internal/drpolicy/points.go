package drpolicy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Point is a snapshot or image that a disk can be restored from.
type Point struct {
	ID, DiskID, Region string
	Kind               string // "snapshot" or "image"
	Category           string // "standard" (or empty) or "archive"
	Created            time.Time
	Verified           bool // a trusted signed attestation says a verification run passed on it
	// VerifiedBy is the run id the point's alidr:verification-run tag names:
	// where to look for the attestation, never proof by itself.
	VerifiedBy string
	// Locked: a snapshot lock (compliance mode, in or after its cool-off)
	// protects the point from deletion now. Images are never locked.
	Locked bool
	Status string
}

// Usable reports whether restoring from p can start now: a snapshot in status
// "accomplished" or an image in status "Available" (any case). Points still
// being created, failed or deprecated are not.
func (p Point) Usable() bool {
	return strings.EqualFold(p.Status, "accomplished") || strings.EqualFold(p.Status, "available")
}

// Filter narrows recovery points. Zero fields do not filter.
type Filter struct {
	Before time.Time     // created strictly before
	After  time.Time     // created strictly after
	MaxAge time.Duration // created no longer than this before Now
	// Now anchors MaxAge; the zero value means time.Now().
	Now          time.Time
	OnlyVerified bool
	OnlyLocked   bool
	// Dwell, with Before, keeps only points created before Before minus
	// Dwell: the time an attacker may have been inside before the attack
	// was seen, so that the point chosen predates the intrusion.
	Dwell      time.Duration
	Regions    []string // any of, case-insensitive
	Categories []string // any of; an empty point category counts as "standard"
	Kinds      []string // any of: "snapshot", "image"
}

// ErrNoRecoveryPoint is matched (errors.Is) by every Newest error.
var ErrNoRecoveryPoint = errors.New("no recovery point")

// stage is one filter step; stages run in order and Newest blames the first
// that leaves nothing.
type stage struct {
	active bool
	keep   func(Point) bool
	// count describes the survivors ("0 are verified"); hint says what to change,
	// given the points that reached this stage.
	count func(n int) string
	hint  func(in []Point) string
	// reason says why a point this stage removes was passed over (for
	// PassedOver); "" for the stages that only scope the query (kind,
	// region, category, after).
	reason func(p Point) string
}

func (f Filter) stages() []stage {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	return []stage{
		{
			active: true,
			keep:   Point.Usable,
			count: func(n int) string {
				return fmt.Sprintf("%d %s usable (snapshot status accomplished or image status Available)", n, isAre(n))
			},
			reason: func(p Point) string { return "not usable (status " + p.Status + ")" },
			hint: func(in []Point) string {
				return "wait for the points in status " + strings.Join(distinct(in, func(p Point) string { return p.Status }), ", ") + " to finish, or take a new snapshot"
			},
		},
		{
			active: len(f.Kinds) > 0,
			keep:   func(p Point) bool { return containsFold(f.Kinds, p.Kind) },
			count:  func(n int) string { return fmt.Sprintf("%d %s of kind %s", n, isAre(n), strings.Join(f.Kinds, " or ")) },
			hint: func(in []Point) string {
				return "add one of the kinds that exist (" + strings.Join(distinct(in, func(p Point) string { return p.Kind }), ", ") + ") to kinds"
			},
		},
		{
			active: len(f.Regions) > 0,
			keep:   func(p Point) bool { return containsFold(f.Regions, p.Region) },
			count: func(n int) string {
				return fmt.Sprintf("%d %s in region %s", n, isAre(n), strings.Join(f.Regions, " or "))
			},
			hint: func(in []Point) string {
				return "add one of the regions that have points (" + strings.Join(distinct(in, func(p Point) string { return p.Region }), ", ") + ") to regions, or copy a snapshot there"
			},
		},
		{
			active: len(f.Categories) > 0,
			keep:   func(p Point) bool { return containsFold(f.Categories, category(p)) },
			count: func(n int) string {
				return fmt.Sprintf("%d %s in category %s", n, isAre(n), strings.Join(f.Categories, " or "))
			},
			hint: func(in []Point) string {
				return "add one of the categories that exist (" + strings.Join(distinct(in, category), ", ") + ") to categories"
			},
		},
		{
			active: !f.After.IsZero(),
			keep:   func(p Point) bool { return p.Created.After(f.After) },
			count: func(n int) string {
				return fmt.Sprintf("%d %s created after %s", n, plural(n, "was", "were"), f.After.Format(time.RFC3339))
			},
			hint: func(in []Point) string {
				return fmt.Sprintf("the newest was created %s; set an earlier after", newest(in).Created.Format(time.RFC3339))
			},
		},
		{
			active: !f.Before.IsZero(),
			keep:   func(p Point) bool { return p.Created.Before(f.Before) },
			count: func(n int) string {
				return fmt.Sprintf("%d %s created before %s", n, plural(n, "was", "were"), f.Before.Format(time.RFC3339))
			},
			hint: func(in []Point) string {
				return fmt.Sprintf("the oldest was created %s; set a later before", oldest(in).Created.Format(time.RFC3339))
			},
			reason: func(Point) string { return "created at or after before (" + f.Before.Format(time.RFC3339) + ")" },
		},
		{
			active: f.Dwell > 0 && !f.Before.IsZero(),
			keep:   func(p Point) bool { return p.Created.Before(f.Before.Add(-f.Dwell)) },
			count: func(n int) string {
				return fmt.Sprintf("%d %s created before %s (before minus the %s dwell time)", n, plural(n, "was", "were"),
					f.Before.Add(-f.Dwell).Format(time.RFC3339), formatHours(f.Dwell))
			},
			hint: func(in []Point) string {
				return fmt.Sprintf("the oldest was created %s; shorten dwell or set a later before", oldest(in).Created.Format(time.RFC3339))
			},
			reason: func(Point) string {
				return fmt.Sprintf("too new for the %s dwell window (created at or after %s)", formatHours(f.Dwell), f.Before.Add(-f.Dwell).Format(time.RFC3339))
			},
		},
		{
			active: f.MaxAge > 0,
			keep:   func(p Point) bool { return now.Sub(p.Created) <= f.MaxAge },
			count:  func(n int) string { return fmt.Sprintf("%d %s at most %s old", n, isAre(n), formatHours(f.MaxAge)) },
			hint: func(in []Point) string {
				return fmt.Sprintf("the newest is %s old; raise max_age or take a new snapshot", formatHours(now.Sub(newest(in).Created).Round(time.Minute)))
			},
			reason: func(Point) string { return "older than max_age (" + formatHours(f.MaxAge) + ")" },
		},
		{
			active: f.OnlyVerified,
			keep:   func(p Point) bool { return p.Verified },
			count:  func(n int) string { return fmt.Sprintf("%d %s verified", n, isAre(n)) },
			hint:   func([]Point) string { return "run alidr_verification_run or set only_verified = false" },
			reason: func(Point) string { return "not verified" },
		},
		{
			active: f.OnlyLocked,
			keep:   func(p Point) bool { return p.Locked },
			count:  func(n int) string { return fmt.Sprintf("%d %s locked", n, isAre(n)) },
			hint: func([]Point) string {
				return "lock snapshots (LockSnapshot, compliance mode) or set only_locked = false; images cannot be locked, restrict kinds to snapshot"
			},
			reason: func(p Point) string {
				if p.Kind == "image" {
					return "not locked (an image cannot be locked)"
				}
				return "not locked"
			},
		},
	}
}

func category(p Point) string {
	if p.Category == "" {
		return "standard"
	}
	return p.Category
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), v) })
}

// distinct lists the different non-empty values of key over ps, sorted.
func distinct(ps []Point, key func(Point) string) []string {
	var out []string
	for _, p := range ps {
		if v := key(p); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return []string{"(none)"}
	}
	return out
}

func newest(ps []Point) Point {
	return slices.MaxFunc(ps, func(a, b Point) int { return a.Created.Compare(b.Created) })
}

func oldest(ps []Point) Point {
	return slices.MinFunc(ps, func(a, b Point) int { return a.Created.Compare(b.Created) })
}

// Select returns the usable points that pass every filter, newest first
// (ties by ID). The input is not modified.
func Select(points []Point, f Filter) []Point {
	out := slices.Clone(points)
	for _, st := range f.stages() {
		if st.active {
			out = slices.DeleteFunc(out, func(p Point) bool { return !st.keep(p) })
		}
	}
	slices.SortStableFunc(out, func(a, b Point) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Newest returns the newest point Select would return. When there is none, the
// error (matching ErrNoRecoveryPoint) says how many points each filter kept,
// down to the one that removed the last, and what to change, e.g.
// "no recovery point for disk d-x before 2026-11-20T08:00:00Z: 12 points
// exist, 0 are verified; run alidr_verification_run or set only_verified =
// false". Filters that removed nothing are left out of the count.
func Newest(points []Point, f Filter) (Point, error) {
	if sel := Select(points, f); len(sel) > 0 {
		return sel[0], nil
	}
	head := headline(points, f)
	if len(points) == 0 {
		return Point{}, &noPointError{head + ": no snapshots or images exist; check the disk id and region, or take a snapshot first"}
	}
	counts := []string{fmt.Sprintf("%d %s", len(points), plural(len(points), "point exists", "points exist"))}
	in := points
	for _, st := range f.stages() {
		if !st.active {
			continue
		}
		out := slices.DeleteFunc(slices.Clone(in), func(p Point) bool { return !st.keep(p) })
		if len(out) == len(in) {
			continue
		}
		counts = append(counts, st.count(len(out)))
		if len(out) == 0 {
			return Point{}, &noPointError{head + ": " + strings.Join(counts, ", ") + "; " + st.hint(in)}
		}
		in = out
	}
	// Unreachable: Select found nothing, so some stage emptied the list.
	return Point{}, &noPointError{head}
}

// PassedOver says, for every point newer than chosen that the query's
// scope (kind, region, category, after) admits, why it was not chosen: each
// filter it fails, e.g. "s-x (2026-11-19T06:00:00Z, cn-beijing): too new
// for the 72h dwell window (...); not locked". Newest first.
func PassedOver(points []Point, f Filter, chosen Point) []string {
	newer := slices.DeleteFunc(slices.Clone(points), func(p Point) bool { return !p.Created.After(chosen.Created) })
	slices.SortStableFunc(newer, func(a, b Point) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []string
	for _, p := range newer {
		var reasons []string
		for _, st := range f.stages() {
			if !st.active || st.keep(p) {
				continue
			}
			if st.reason == nil { // outside the query's scope: not a candidate
				reasons = nil
				break
			}
			reasons = append(reasons, st.reason(p))
		}
		if len(reasons) > 0 {
			out = append(out, fmt.Sprintf("%s (%s, %s): %s", p.ID, p.Created.UTC().Format(time.RFC3339), p.Region, strings.Join(reasons, "; ")))
		}
	}
	return out
}

func isAre(n int) string { return plural(n, "is", "are") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// headline names what was asked for: "no recovery point for disk d-x before T".
func headline(points []Point, f Filter) string {
	var b strings.Builder
	b.WriteString("no recovery point")
	if disks := distinct(points, func(p Point) string { return p.DiskID }); len(points) > 0 && disks[0] != "(none)" {
		b.WriteString(" for " + plural(len(disks), "disk ", "disks ") + strings.Join(disks, ", "))
	}
	if !f.After.IsZero() {
		b.WriteString(" after " + f.After.Format(time.RFC3339))
	}
	if !f.Before.IsZero() {
		if !f.After.IsZero() {
			b.WriteString(" and")
		}
		b.WriteString(" before " + f.Before.Format(time.RFC3339))
	}
	if f.Dwell > 0 && !f.Before.IsZero() {
		fmt.Fprintf(&b, " minus a %s dwell time", formatHours(f.Dwell))
	}
	if f.MaxAge > 0 {
		fmt.Fprintf(&b, " at most %s old", formatHours(f.MaxAge))
	}
	return b.String()
}

type noPointError struct{ msg string }

func (e *noPointError) Error() string        { return e.msg }
func (e *noPointError) Is(target error) bool { return target == ErrNoRecoveryPoint }
