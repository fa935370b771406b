package emulator

import (
	"errors"
	"fmt"
	"net/http"
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
