package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ECS RPC service.
//
// Every action is an rpcHandler registered by name in ecsService.handlers.
// ServeHTTP authenticates the call (signature, timestamp, nonce), resolves
// the account and region, then runs the handler with e.mu held: handlers and
// everything they touch (the state in ecs_state.go and any feature state hung
// off closures) are serialised by that one mutex, so handlers never lock.
//
// Other files add actions from setup functions listed in ecsFeatures (see
// registerECSFeature): each runs once per ecsService, so every Server has its
// own handlers and state. The same listener also answers STS calls
// (Version 2015-04-01, ecs_sts.go), whose temporary keys the signature check
// accepts.

// ecsAPIVersion is the ECS API version.
const ecsAPIVersion = "2014-05-26"

// nonceWindow is how long signature nonces are remembered and how far a
// request's Timestamp may be from the server's time.
const nonceWindow = 15 * time.Minute

// rpcHandler answers one action. The returned value is encoded as the JSON
// response body (use the SDK's response struct shapes); a returned *apiError
// becomes the service's JSON error.
type rpcHandler func(c *rpcCall) (any, error)

// apiError is an ECS error with the real HTTP status and code.
type apiError struct {
	Status  int
	Code    string
	Message string
	// Detail is the AccessDeniedDetail of a refusal by RAM (ram_check.go).
	Detail *accessDeniedDetail
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// apiErr builds an ECS error as the service would send it.
func apiErr(status int, code, msg string) error {
	return &apiError{Status: status, Code: code, Message: msg}
}

// Common errors.
func errMissingParam(name string) error {
	return apiErr(http.StatusBadRequest, "MissingParameter",
		fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name))
}

func errInvalidParam(name, value string) error {
	return apiErr(http.StatusBadRequest, "InvalidParameter",
		fmt.Sprintf("The specified parameter %q is not valid: %q.", name, value))
}

// ecsFeatures are setup functions of ECS features kept in other files
// (snapshots, policies, images...). They are appended from init() and run
// for every new ecsService, so state stays per Server.
var ecsFeatures []func(e *ecsService)

// registerECSFeature adds a setup function run by every newECSService. Call
// it from an init() in the feature's file; the setup registers handlers
// (e.register), tag resource types (e.registerTagType), reset hooks
// (e.onReset) and lookup hooks (e.hooks).
func registerECSFeature(setup func(e *ecsService)) { ecsFeatures = append(ecsFeatures, setup) }

// ecsHooks are lookups other features provide. Defaults answer from the
// seeded catalog only.
type ecsHooks struct {
	// snapshot finds a snapshot a new disk may be created from.
	snapshot func(accountID, region, snapshotID string) (sizeGiB int, ok bool)
	// image finds an image RunInstances may boot.
	image func(accountID, region, imageID string) (imageInfo, bool)
}

// imageInfo is what RunInstances needs to know about an image.
type imageInfo struct {
	ID      string
	SizeGiB int    // minimum system disk size
	OSName  string // e.g. "Alibaba Cloud Linux  3.2104 LTS 64位"
	OSType  string // linux | windows
	// Status must be "Available" for the image to be usable.
	Status string
	// DataDiskSnapshots are the snapshots of the image's data disks, in
	// device order; RunInstances creates a data disk from each.
	DataDiskSnapshots []imageDataDisk
}

type imageDataDisk struct {
	SnapshotID string
	SizeGiB    int
	Device     string
}

// tagType lets ListTagResources, TagResources and UntagResources reach the
// tag set of one resource type. get returns the live map (mutated in place).
type tagType struct {
	get  func(c *rpcCall, id string) (map[string]string, bool)
	list func(c *rpcCall) []string
}

type ecsService struct {
	s *Server

	handlers    map[string]rpcHandler
	stsHandlers map[string]rpcHandler
	ebsHandlers map[string]rpcHandler // EBS 2021-07-30 (ebs_policies.go)
	tagTypes    map[string]tagType
	resets      []func()
	hooks       ecsHooks

	// mu guards everything below and all feature state; ServeHTTP holds it
	// while a handler runs.
	mu        sync.Mutex
	accounts  map[string]*ecsAccount
	nonces    map[string]time.Time
	stsKeys   map[string]*stsCredential
	durations Durations
	// consistencyLag hides new resources from their first n describes.
	consistencyLag int
	lag            map[string]int
	// tsWindow is how far Timestamp may be from the server's time; 0 turns
	// the check off (for tests that move a ManualClock far from wall time,
	// since the SDK stamps requests with wall time).
	tsWindow time.Duration
	scripts  map[string]*CommandOutcome
}

func newECSService(s *Server) *ecsService {
	e := &ecsService{
		s:           s,
		handlers:    map[string]rpcHandler{},
		ebsHandlers: map[string]rpcHandler{},
		tagTypes:    map[string]tagType{},
		tsWindow:    nonceWindow,
	}
	e.stsHandlers = map[string]rpcHandler{"AssumeRole": e.assumeRole, "GetCallerIdentity": e.getCallerIdentity}
	e.hooks.snapshot = func(string, string, string) (int, bool) { return 0, false }
	e.hooks.image = e.publicImage
	e.durations = DefaultDurations()
	e.setupCore()
	for _, setup := range ecsFeatures {
		setup(e)
	}
	e.reset()
	return e
}

// register adds an action. Registering an action twice is a programming
// error.
func (e *ecsService) register(action string, h rpcHandler) {
	if _, dup := e.handlers[action]; dup {
		panic("emulator: ECS action registered twice: " + action)
	}
	e.handlers[action] = h
}

// registerTagType makes a ResourceType reachable by the tag actions.
func (e *ecsService) registerTagType(resourceType string, t tagType) { e.tagTypes[resourceType] = t }

// onReset adds a function run (with e.mu held) when the world is reset,
// after the core state is re-seeded.
func (e *ecsService) onReset(f func()) { e.resets = append(e.resets, f) }

// reset restores the seeded default world.
func (e *ecsService) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.accounts = map[string]*ecsAccount{}
	e.nonces = map[string]time.Time{}
	e.stsKeys = map[string]*stsCredential{}
	e.lag = map[string]int{}
	e.scripts = map[string]*CommandOutcome{}
	e.consistencyLag = 0
	e.durations = DefaultDurations()
	e.tsWindow = nonceWindow
	for _, f := range e.resets {
		f()
	}
}

// account returns the state of an account, seeding it on first use.
// Callers hold e.mu.
func (e *ecsService) account(id string) *ecsAccount {
	a, ok := e.accounts[id]
	if !ok {
		a = seedAccount(id, id == DefaultAccountID)
		e.accounts[id] = a
	}
	return a
}

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

// ServeHTTP authenticates and dispatches one RPC call.
func (e *ecsService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := e.s.now()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	c, err := e.authenticate(r, now)
	if err == nil {
		var resp any
		if resp, err = e.dispatch(c); err == nil {
			w.Header().Set("x-acs-request-id", c.RequestID)
			writeJSON(w, http.StatusOK, resp)
			return
		}
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	writeRPCErrorDetail(w, ae.Status, ae.Code, ae.Message, ae.Detail)
}

// dispatch runs the call's handler with e.mu held. A panicking handler
// becomes an InternalError instead of leaving the service locked.
func (e *ecsService) dispatch(c *rpcCall) (resp any, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, apiErr(http.StatusInternalServerError, "InternalError", fmt.Sprintf("The request processing has failed due to some unknown error: %v", p))
		}
	}()
	if e.s.strict {
		if err := checkAgainstDefinition(c.api, c.Action, c.params); err != nil {
			return nil, err
		}
	}
	if (c.api == ecsAPIVersion || c.api == ebsAPIVersion) && c.Action != "DescribeRegions" {
		if c.Region == "" {
			return nil, errMissingParam("RegionId")
		}
		if _, ok := c.acct().regions[c.Region]; !ok {
			return nil, apiErr(http.StatusNotFound, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")
		}
	}
	resp, err = c.handler(c)
	if c.paramErr != nil {
		return nil, c.paramErr
	}
	return resp, err
}

// authenticate checks the call's signature, timestamp and nonce as the RPC
// gateway does and returns the call with merged query and form parameters.
func (e *ecsService) authenticate(r *http.Request, now time.Time) (*rpcCall, error) {
	if err := r.ParseForm(); err != nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "The request body is not a valid form.")
	}
	// r.Form holds the body's values first, then the query's.
	params := map[string]string{}
	for k, vs := range r.Form {
		if len(vs) > 0 {
			params[k] = vs[0]
		}
	}
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Action", "Version", "SignatureMethod"} {
		if params[name] == "" {
			return nil, errMissingParam(name)
		}
	}
	handlers := e.handlers
	switch params["Version"] {
	case ecsAPIVersion:
	case stsAPIVersion:
		handlers = e.stsHandlers
	case ebsAPIVersion:
		handlers = e.ebsHandlers
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	if params["SignatureMethod"] != "HMAC-SHA1" {
		return nil, apiErr(http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method is not valid.")
	}
	acc, caller, err := e.credential(params["AccessKeyId"], params["SecurityToken"], now)
	if err != nil {
		return nil, err
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", params["Timestamp"])
	if err != nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
	}
	e.mu.Lock()
	window := e.tsWindow
	e.mu.Unlock()
	if d := now.Sub(ts); window > 0 && (d > window || d < -window) {
		return nil, apiErr(http.StatusBadRequest, "InvalidTimeStamp.Expired",
			fmt.Sprintf("Specified time stamp or date value is expired. Server time is %s.", now.UTC().Format("2006-01-02T15:04:05Z")))
	}
	stringToSign := rpcStringToSign(r.Method, params)
	want := rpcSign(stringToSign, acc.Secret)
	if !hmac.Equal([]byte(want), []byte(params["Signature"])) {
		return nil, apiErr(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
	}
	if !e.useNonce(params["SignatureNonce"], now) {
		return nil, apiErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	action := params["Action"]
	h, ok := handlers[action]
	if !ok {
		return nil, apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
	if err := e.s.ram.checkRPC(r.Context(), acc, params); err != nil {
		return nil, err
	}
	return &rpcCall{
		e:         e,
		api:       params["Version"],
		handler:   h,
		caller:    caller,
		Action:    action,
		AccountID: acc.ID,
		Region:    params["RegionId"],
		RequestID: newRequestID(),
		now:       now,
		params:    params,
	}, nil
}

// useNonce records a nonce and reports whether it was fresh. Nonces older
// than the timestamp window are forgotten: a replay that old fails the
// timestamp check anyway.
func (e *ecsService) useNonce(nonce string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for n, t := range e.nonces {
		if now.Sub(t) > nonceWindow {
			delete(e.nonces, n)
		}
	}
	if _, used := e.nonces[nonce]; used {
		return false
	}
	e.nonces[nonce] = now
	return true
}

// rpcStringToSign is the SDK's string to sign: METHOD&%2F& followed by the
// percent-encoded, sorted parameters (all but Signature).
func rpcStringToSign(method string, params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		if k != "Signature" {
			v.Set(k, val)
		}
	}
	s := v.Encode()
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return method + "&%2F&" + url.QueryEscape(s)
}

// rpcSign is base64(HMAC-SHA1(secret + "&", stringToSign)).
func rpcSign(stringToSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SetTimestampWindow sets how far a request's Timestamp may be from the
// server's time (15 minutes, as the service, by default). 0 disables the
// check: the SDK stamps requests with wall time, so tests that move a
// ManualClock hours away need it off. Nonces are still checked.
func (s *Server) SetTimestampWindow(d time.Duration) {
	s.ecs.mu.Lock()
	s.ecs.tsWindow = max(d, 0)
	s.ecs.mu.Unlock()
}

// setupCore registers the actions of this package's core files.
func (e *ecsService) setupCore() {
	for action, h := range map[string]rpcHandler{
		"DescribeRegions":              e.describeRegions,
		"DescribeZones":                e.describeZones,
		"DescribeInstanceTypes":        e.describeInstanceTypes,
		"DescribeVSwitches":            e.describeVSwitches,
		"DescribeSecurityGroups":       e.describeSecurityGroups,
		"DescribeInstances":            e.describeInstances,
		"RunInstances":                 e.runInstances,
		"StartInstance":                e.startInstance,
		"StopInstance":                 e.stopInstance,
		"RebootInstance":               e.rebootInstance,
		"DeleteInstance":               e.deleteInstance,
		"DeleteInstances":              e.deleteInstances,
		"DescribeInstanceStatus":       e.describeInstanceStatus,
		"StartInstances":               e.startInstances,
		"StopInstances":                e.stopInstances,
		"ModifyInstanceAttribute":      e.modifyInstanceAttribute,
		"DescribeDisks":                e.describeDisks,
		"CreateDisk":                   e.createDisk,
		"AttachDisk":                   e.attachDisk,
		"DetachDisk":                   e.detachDisk,
		"DeleteDisk":                   e.deleteDisk,
		"ResizeDisk":                   e.resizeDisk,
		"CreateCommand":                e.createCommand,
		"RunCommand":                   e.runCommand,
		"InvokeCommand":                e.invokeCommand,
		"DescribeInvocations":          e.describeInvocations,
		"DescribeInvocationResults":    e.describeInvocationResults,
		"DescribeCloudAssistantStatus": e.describeCloudAssistantStatus,
		"StopInvocation":               e.stopInvocation,
		"TagResources":                 e.tagResources,
		"UntagResources":               e.untagResources,
		"ListTagResources":             e.listTagResources,
	} {
		e.register(action, h)
	}
	e.setupCoreTagTypes()
}

// serveControl answers control API calls under ControlPrefix+"ecs/".
func (e *ecsService) serveControl(w http.ResponseWriter, r *http.Request) {
	e.serveECSControl(w, r)
}
