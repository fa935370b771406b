package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The JSON-document parameters of Create/UpdateEnterpriseSnapshotPolicy.
// Field names, enums and ranges come from the EBS 2021-07-30 reference and
// the official ebs-20210730 SDK request models (see apidefs_ebs.go); a field
// they do not define is refused, as strict mode does for top-level names.

type espSchedule struct {
	CronExpression string `json:"CronExpression"`
}

type espRetainRule struct {
	Number       int    `json:"Number,omitempty"`       // 1..256
	TimeInterval int    `json:"TimeInterval,omitempty"` // >= 1, in TimeUnit
	TimeUnit     string `json:"TimeUnit,omitempty"`     // DAYS | WEEKS
}

type espStorageRule struct {
	EnableImmediateAccess bool `json:"EnableImmediateAccess"`
}

type espCopyRegion struct {
	RegionID   string `json:"RegionId"`
	RetainDays int    `json:"RetainDays"`
}

type espCopyInfo struct {
	Enabled bool            `json:"Enabled"`
	Regions []espCopyRegion `json:"Regions"`
}

type espSpecialRule struct {
	SpecialPeriodUnit string `json:"SpecialPeriodUnit"` // WEEKS | MONTHS | YEARS
	TimeInterval      int    `json:"TimeInterval"`
	TimeUnit          string `json:"TimeUnit"` // DAYS | WEEKS
}

type espSpecialRules struct {
	Enabled bool             `json:"Enabled"`
	Rules   []espSpecialRule `json:"Rules"`
}

// decodeStrict decodes a JSON parameter, refusing fields its definition lacks.
func decodeStrict(name, v string, out any) error {
	d := json.NewDecoder(bytes.NewReader([]byte(v)))
	d.DisallowUnknownFields()
	if err := d.Decode(out); err != nil {
		return apiErr(http.StatusBadRequest, "InvalidParameter",
			fmt.Sprintf("The specified parameter %q is not valid: %v (fields are those of the API reference).", name, err))
	}
	return nil
}

func invalidValue(name, why string) error {
	return apiErr(http.StatusBadRequest, "InvalidParameter", fmt.Sprintf("The specified parameter %q is not valid: %s.", name, why))
}

// unitDays turns TimeInterval/TimeUnit into days; TimeUnit DAYS or WEEKS
// ([ref] RetainRule.TimeUnit and SpecialRetainRules.Rules.TimeUnit).
func unitDays(name string, interval int, unit string) (int, error) {
	// [sdk] TimeInterval "must be greater than 1"; its own example for the
	// special rules is 1, so 1 is accepted.
	if interval < 1 {
		return 0, invalidValue(name+".TimeInterval", fmt.Sprintf("%d; it must be at least 1", interval))
	}
	switch strings.ToUpper(unit) {
	case "DAYS":
		return interval, nil
	case "WEEKS":
		return 7 * interval, nil
	}
	return 0, invalidValue(name+".TimeUnit", fmt.Sprintf("%q; valid values are DAYS, WEEKS", unit))
}

// readPolicyBody applies the JSON parameters present in c to p.
func (st *snapStore) readPolicyBody(c *rpcCall, p *enterprisePolicy) error {
	if c.has("Schedule") {
		var s espSchedule
		if err := decodeStrict("Schedule", c.str("Schedule"), &s); err != nil {
			return err
		}
		if s.CronExpression == "" {
			return errMissingParam("Schedule.CronExpression")
		}
		cron, err := parseCron(s.CronExpression)
		if err != nil {
			return invalidValue("Schedule.CronExpression", err.Error())
		}
		p.cron = cron
	}
	if c.has("RetainRule") {
		var r espRetainRule
		if err := decodeStrict("RetainRule", c.str("RetainRule"), &r); err != nil {
			return err
		}
		// Number (count) or TimeInterval+TimeUnit (age): the reference makes
		// both optional; one of them is needed for a rule at all, and the
		// emulator refuses both at once rather than guess which one wins.
		switch {
		case r.Number != 0 && r.TimeInterval != 0:
			return invalidValue("RetainRule", "give Number or TimeInterval with TimeUnit, not both")
		case r.Number != 0:
			if r.Number < 1 || r.Number > 256 { // [ref] Number "1 to 256"
				return invalidValue("RetainRule.Number", fmt.Sprintf("%d; valid values are 1 to 256", r.Number))
			}
		default:
			if _, err := unitDays("RetainRule", r.TimeInterval, r.TimeUnit); err != nil {
				return err
			}
		}
		p.RetainRule = r
	}
	if c.has("StorageRule") {
		var s espStorageRule
		if err := decodeStrict("StorageRule", c.str("StorageRule"), &s); err != nil {
			return err
		}
		p.StorageRule = &s
	}
	if c.has("CrossRegionCopyInfo") {
		var ci espCopyInfo
		if err := decodeStrict("CrossRegionCopyInfo", c.str("CrossRegionCopyInfo"), &ci); err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, r := range ci.Regions {
			name := fmt.Sprintf("CrossRegionCopyInfo.Regions[%d]", i)
			if r.RegionID == "" {
				return errMissingParam(name + ".RegionId")
			}
			if r.RegionID == c.Region {
				return invalidValue(name+".RegionId", fmt.Sprintf("%q is the policy's own region", r.RegionID))
			}
			if _, ok := c.acct().regions[r.RegionID]; !ok {
				return apiErr(http.StatusNotFound, "InvalidRegionId.NotFound", fmt.Sprintf("The specified RegionId %q does not exist.", r.RegionID))
			}
			if seen[r.RegionID] {
				return invalidValue(name+".RegionId", fmt.Sprintf("%q is listed twice", r.RegionID))
			}
			seen[r.RegionID] = true
			if r.RetainDays < 1 { // [sdk] RetainDays "must be greater than 1"
				return invalidValue(name+".RetainDays", fmt.Sprintf("%d; it must be at least 1", r.RetainDays))
			}
		}
		p.CopyInfo = ci
	}
	if c.has("SpecialRetainRules") {
		var sr espSpecialRules
		if err := decodeStrict("SpecialRetainRules", c.str("SpecialRetainRules"), &sr); err != nil {
			return err
		}
		units := map[string]bool{}
		for i, r := range sr.Rules {
			name := fmt.Sprintf("SpecialRetainRules.Rules[%d]", i)
			u := strings.ToUpper(r.SpecialPeriodUnit)
			if u != "WEEKS" && u != "MONTHS" && u != "YEARS" { // [sdk] WEEKS, MONTHS, YEARS
				return invalidValue(name+".SpecialPeriodUnit", fmt.Sprintf("%q; valid values are WEEKS, MONTHS, YEARS", r.SpecialPeriodUnit))
			}
			if units[u] {
				return invalidValue(name+".SpecialPeriodUnit", fmt.Sprintf("%s has two rules", u))
			}
			units[u] = true
			if _, err := unitDays(name, r.TimeInterval, r.TimeUnit); err != nil {
				return err
			}
		}
		p.Special = sr
	}
	return nil
}
