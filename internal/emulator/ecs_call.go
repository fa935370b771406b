package emulator

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// rpcCall is one authenticated ECS call.
type rpcCall struct {
	e         *ecsService
	api       string // Version: ECS or STS
	handler   rpcHandler
	caller    string // the role session ARN for STS credentials, "" for keys
	Action    string
	AccountID string
	Region    string // RegionId parameter
	RequestID string
	now       time.Time
	params    map[string]string
	paramErr  error
}

// acct is the caller's account state.
func (c *rpcCall) acct() *ecsAccount { return c.e.account(c.AccountID) }

// region is the state of the call's region; ServeHTTP has checked it exists
// for every action but DescribeRegions.
func (c *rpcCall) region() *ecsRegion { return c.acct().regions[c.Region] }

// durations are the configured async durations.
func (c *rpcCall) durations() Durations { return c.e.durations }

// str returns a parameter, "" when absent.
func (c *rpcCall) str(name string) string { return c.params[name] }

// has tells whether a parameter was sent.
func (c *rpcCall) has(name string) bool { _, ok := c.params[name]; return ok }

// fail records the first parameter error; handlers check c.err() before
// changing state.
func (c *rpcCall) fail(err error) {
	if c.paramErr == nil {
		c.paramErr = err
	}
}

// err is the first parameter parsing error, if any.
func (c *rpcCall) err() error { return c.paramErr }

// int returns an integer parameter or def when absent.
func (c *rpcCall) int(name string, def int) int {
	v, ok := c.params[name]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.fail(errInvalidParam(name, v))
		return def
	}
	return n
}

// float returns a decimal parameter, 0 when absent.
func (c *rpcCall) float(name string) float64 {
	v, ok := c.params[name]
	if !ok || v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		c.fail(errInvalidParam(name, v))
	}
	return f
}

// bool returns a boolean parameter (false when absent).
func (c *rpcCall) bool(name string) bool {
	v, ok := c.params[name]
	if !ok || v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.fail(errInvalidParam(name, v))
	}
	return b
}

// jsonStrings parses a JSON-array-string parameter such as
// InstanceIds=["i-1","i-2"]; nil when absent.
func (c *rpcCall) jsonStrings(name string) []string {
	v, ok := c.params[name]
	if !ok || v == "" {
		return nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		c.fail(errInvalidParam(name, v))
		return nil
	}
	return out
}

// list returns repeated parameters name.1..name.N in index order.
func (c *rpcCall) list(name string) []string {
	groups := c.indexed(name)
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		if v, ok := g[""]; ok {
			out = append(out, v)
		}
	}
	return out
}

// indexed groups name.N and name.N.Field parameters by N (in index order);
// each group maps Field to value, "" for name.N itself.
func (c *rpcCall) indexed(name string) []map[string]string {
	prefix := name + "."
	byIdx := map[int]map[string]string{}
	for k, v := range c.params {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		idxStr, field, _ := strings.Cut(rest, ".")
		idx, err := strconv.Atoi(idxStr)
		if err != nil || idx < 1 {
			continue
		}
		g := byIdx[idx]
		if g == nil {
			g = map[string]string{}
			byIdx[idx] = g
		}
		g[field] = v
	}
	idxs := make([]int, 0, len(byIdx))
	for i := range byIdx {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	out := make([]map[string]string, 0, len(idxs))
	for _, i := range idxs {
		out = append(out, byIdx[i])
	}
	return out
}

// tag is one Tag.N.Key/Value pair.
type tag struct{ Key, Value string }

// tags returns Tag.N.Key/Value pairs in index order.
func (c *rpcCall) tags() []tag {
	var out []tag
	for _, g := range c.indexed("Tag") {
		if g["Key"] == "" {
			continue
		}
		out = append(out, tag{Key: g["Key"], Value: g["Value"]})
	}
	return out
}

// page returns PageNumber/PageSize with the API's defaults and bounds.
func (c *rpcCall) page(defSize, maxSize int) (number, size int) {
	number = c.int("PageNumber", 1)
	size = c.int("PageSize", defSize)
	if number < 1 {
		c.fail(errInvalidParam("PageNumber", c.str("PageNumber")))
	}
	if size < 1 || size > maxSize {
		c.fail(errInvalidParam("PageSize", c.str("PageSize")))
	}
	return number, size
}
