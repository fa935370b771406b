package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
	"weak"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Snapshot, automatic snapshot policy, image and task state. One snapStore
// per ecsService, guarded by ecsService.mu like the core state (handlers run
// with it held; the Go APIs below take it).
//
// Nothing runs in the background: statuses are derived from the clock, and
// everything that must *happen* at a point in time (policy fires, retention
// expiry, an export task writing its object into OSS) is caught up by
// catchUp, which runs before every ECS action (see setupSnapshotFeature),
// in the snapshot and image lookup hooks and in Server.RunSchedules.

// DefaultExportBytesPerGiB is how many bytes ExportImage writes per GiB of
// image size: exports are scaled down 1024 times so tests stay small.
const DefaultExportBytesPerGiB = 1 << 20

type snapStore struct {
	e *ecsService

	snapshots  map[string]*snapshot
	policies   map[string]*autoSnapshotPolicy
	espolicies map[string]*enterprisePolicy // EBS (ebs_policies.go)
	images     map[string]*image
	tasks      map[string]*ecsTask

	// lastRun is the time catchUp has processed up to.
	lastRun time.Time
	// failNext counts injected failures per kind (see Server.FailNext).
	failNext map[string]int
	// exportRoleMissing simulates an account without the export RAM role.
	exportRoleMissing bool
	exportBytesPerGiB int64
}

// snapStores finds the store of an ecsService for the Server-level Go APIs
// (FailNext, RunSchedules...), which cannot reach feature state through the
// handler closures. Keys and values are weak so a closed Server's state is
// collected; a cleanup drops the entry.
var snapStores sync.Map // weak.Pointer[ecsService] -> weak.Pointer[snapStore]

func snapsOf(e *ecsService) *snapStore {
	v, ok := snapStores.Load(weak.Make(e))
	if !ok {
		return nil
	}
	return v.(weak.Pointer[snapStore]).Value()
}

func init() { registerECSFeature(setupSnapshotFeature) }

// setupSnapshotFeature wires snapshots, policies, images and tasks into a
// new ecsService.
func setupSnapshotFeature(e *ecsService) {
	st := &snapStore{e: e}
	st.reset()
	key := weak.Make(e)
	snapStores.Store(key, weak.Make(st))
	runtime.AddCleanup(e, func(k weak.Pointer[ecsService]) { snapStores.Delete(k) }, key)
	e.onReset(st.reset)
	st.registerSnapshots()
	st.registerSnapshotLocks()
	st.registerPolicies()
	st.registerEnterprisePolicies()
	st.registerImages()
	st.registerExport()
	e.register("DescribeTaskAttribute", st.describeTaskAttribute)
	e.register("CancelTask", st.cancelTask)
	// Catch up before every action, the core's too: DeleteInstance releasing
	// a disk must come after the policy fires due before it. Features set up
	// after this one are not wrapped (there are none today); this feature's
	// own handlers and hooks call catchUp themselves anyway.
	for action, h := range e.handlers {
		e.handlers[action] = func(c *rpcCall) (any, error) {
			st.catchUp(c.now)
			return h(c)
		}
	}
}

func (st *snapStore) reset() {
	st.snapshots = map[string]*snapshot{}
	st.policies = map[string]*autoSnapshotPolicy{}
	st.espolicies = map[string]*enterprisePolicy{}
	st.images = map[string]*image{}
	st.tasks = map[string]*ecsTask{}
	st.failNext = map[string]int{}
	st.lastRun = time.Time{}
	st.exportRoleMissing = false
	st.exportBytesPerGiB = DefaultExportBytesPerGiB
}

// takeFailure consumes one injected failure of kind.
func (st *snapStore) takeFailure(kind string) bool {
	if st.failNext[kind] > 0 {
		st.failNext[kind]--
		return true
	}
	return false
}

// Failure kinds accepted by Server.FailNext.
const (
	FailCreateSnapshot = "CreateSnapshot"
	FailCopySnapshot   = "CopySnapshot"
	FailCreateImage    = "CreateImage"
	FailCopyImage      = "CopyImage"
	FailExportImage    = "ExportImage"
)

// failKinds are the kinds FailNext knows.
var failKinds = map[string]bool{FailCreateSnapshot: true, FailCopySnapshot: true, FailCreateImage: true, FailCopyImage: true, FailExportImage: true}

// FailNext makes the next operation of kind fail once it completes: a
// snapshot ends "failed", an image "CreateFailed", an export task "Failed".
// Kinds: CreateSnapshot (manual or automatic), CopySnapshot (also a policy's
// cross-region copy), CreateImage, CopyImage, ExportImage. Calls add up;
// unknown kinds are ignored.
func (s *Server) FailNext(kind string) {
	st := snapsOf(s.ecs)
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	if failKinds[kind] {
		st.failNext[kind]++
	}
}

// SetExportRoleAuthorized simulates whether the account has authorized ECS
// (the AliyunECSImageExportDefaultRole role) to write to OSS; when false,
// ExportImage fails as the service does without the role. Default true.
func (s *Server) SetExportRoleAuthorized(ok bool) {
	st := snapsOf(s.ecs)
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	st.exportRoleMissing = !ok
}

// SetExportBytesPerGiB sets how many bytes an exported image file holds per
// GiB of disk (default DefaultExportBytesPerGiB). Applies to tasks that
// finish from now on.
func (s *Server) SetExportBytesPerGiB(n int64) {
	st := snapsOf(s.ecs)
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	st.exportBytesPerGiB = n
}

// RunSchedules brings automatic snapshot policies, retention expiry and
// export tasks up to the server's current time. Any snapshot, image or task
// call does the same first; call this after advancing a ManualClock to make
// effects outside ECS (an export's OSS object) appear without an ECS call.
func (s *Server) RunSchedules() {
	st := snapsOf(s.ecs)
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	st.catchUp(s.now())
}

// storeTarget is the prologue of an action on one stored object: catch the
// store up with the clock, read the required id parameter and find the
// caller's object with find.
func storeTarget[T any](st *snapStore, c *rpcCall, param string, find func(c *rpcCall, id string) (T, error)) (T, error) {
	id, err := st.requiredID(c, param)
	if err != nil {
		var none T
		return none, err
	}
	return find(c, id)
}

// requiredID catches the store up with the clock and reads the id an
// action cannot do without (MissingParameter), then answers any parameter
// error the call recorded before it.
func (st *snapStore) requiredID(c *rpcCall, param string) (string, error) {
	st.catchUp(c.now)
	id := c.str(param)
	if id == "" {
		return "", errMissingParam(param)
	}
	return id, c.err()
}

// catchUp processes everything due in (lastRun, now]: policy fire times in
// order, then retention expiry, then finished export tasks. Callers hold
// e.mu.
func (st *snapStore) catchUp(now time.Time) {
	// The first call starts the cursor; a clock moved backwards restarts it
	// there (fire times already processed may then fire again).
	if st.lastRun.IsZero() || now.Before(st.lastRun) {
		st.lastRun = now
	}
	if now.After(st.lastRun) {
		st.firePolicies(st.lastRun, now)
		st.fireEnterprisePolicies(st.lastRun, now)
		st.lastRun = now
	}
	st.expireSnapshots(now)
	st.releaseOrphanAutoSnapshots(now)
	st.finishExports(now)
}

// idempotent implements ClientToken with the core's replay/remember: a
// repeated call with the same token and parameters returns the first call's
// result id; different parameters are IdempotentParameterMismatch. It
// returns "" when the call must proceed, and commit records the result once
// it succeeded. A parameter error recorded while reading the call comes
// first, as in every handler.
func (st *snapStore) idempotent(c *rpcCall) (prior string, commit func(id string), err error) {
	if err := c.err(); err != nil {
		return "", nil, err
	}
	ids, ok, err := c.replay()
	if err != nil {
		// The mismatch answer differs between actions (their error tables).
		switch c.Action {
		case "CreateSnapshot":
			err = apiErr(http.StatusForbidden, "IdempotentParameterMismatch", "The specified clientToken is used.")
		case "CreateImage":
			err = apiErr(http.StatusBadRequest, "IdempotenceParamNotMatch",
				"Request uses a client token in a previous request but is not identical to that request.")
		}
		return "", nil, err
	}
	if ok && len(ids) > 0 {
		return ids[0], nil, nil
	}
	return "", func(id string) { c.remember([]string{id}) }, nil
}

// ecsTask is an asynchronous task DescribeTaskAttribute reports on.
type ecsTask struct {
	ID        string
	AccountID string
	RegionID  string
	Action    string // ExportImage, ModifySnapshotCategory
	Created   time.Time
	state     lifecycle // Waiting, Processing -> Finished (or Failed when injected); Cancelled by CancelTask
	finished  bool      // side effects done (export written)
	failed    bool      // failed while finishing (e.g. bucket gone)

	// ExportImage.
	ImageID, Bucket, Prefix, Format string
	objects                         []exportObject
}

func (t *ecsTask) status(now time.Time) string {
	if t.failed {
		return "Failed"
	}
	return t.state.at(now)
}

// cancellable reports whether the task is still waiting or running.
func (t *ecsTask) cancellable(now time.Time) bool {
	switch t.status(now) {
	case "Waiting", "Processing":
		return true
	}
	return false
}

// taskOf resolves the TaskId parameter to a task of the caller's region.
func (st *snapStore) taskOf(c *rpcCall) (*ecsTask, error) {
	id := c.str("TaskId")
	if id == "" {
		return nil, errMissingParam("TaskId")
	}
	t, ok := st.tasks[id]
	if !ok || t.AccountID != c.AccountID || t.RegionID != c.Region {
		return nil, apiErr(http.StatusBadRequest, "InvalidTaskId.NotFound", `The specified "TaskId" is not found.`)
	}
	return t, nil
}

// cancelTask stops an ImportImage or ExportImage task still waiting or
// running; an export cancelled writes nothing. Error codes from the
// CancelTask reference: a task of another action is
// InvalidTaskId.TaskActionNotSupport, a task already ended
// InvalidTaskId.IncorrectTaskStatus (both 403).
func (st *snapStore) cancelTask(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	t, err := st.taskOf(c)
	if err != nil {
		return nil, err
	}
	if t.Action != "ExportImage" {
		return nil, apiErr(http.StatusForbidden, "InvalidTaskId.TaskActionNotSupport", "The specified task action not support.")
	}
	if !t.cancellable(c.now) {
		return nil, apiErr(http.StatusForbidden, "InvalidTaskId.IncorrectTaskStatus", "The specified task status is invalid.")
	}
	t.state.settle("Cancelled")
	t.finished = true
	return ecs.CancelTaskResponse{RequestId: c.RequestID}, nil
}

func (st *snapStore) describeTaskAttribute(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	t, err := st.taskOf(c)
	if err != nil {
		return nil, err
	}
	status := t.status(c.now)
	resp := ecs.DescribeTaskAttributeResponse{
		RequestId:     c.RequestID,
		TaskId:        t.ID,
		RegionId:      t.RegionID,
		TaskAction:    t.Action,
		TaskStatus:    status,
		TaskProcess:   fmt.Sprintf("%d%%", t.state.progress(c.now)),
		CreationTime:  isoTime(t.Created),
		SupportCancel: strconv.FormatBool(t.Action == "ExportImage" && t.cancellable(c.now)),
		TotalCount:    1,
	}
	switch status {
	case "Finished":
		resp.SuccessCount = 1
		resp.FinishedTime = isoTime(t.state.end)
	case "Failed":
		resp.FailedCount = 1
		resp.FinishedTime = isoTime(t.state.end)
	}
	// One entry per exported file, naming its object as the service does.
	resp.OperationProgressSet.OperationProgress = []ecs.OperationProgress{}
	for _, obj := range t.objects {
		op := ecs.OperationProgress{}
		switch status {
		case "Finished":
			op.OperationStatus = "Success"
		case "Failed":
			op.OperationStatus, op.ErrorCode, op.ErrorMsg = "Failed", "ExportImageFailed", "Exporting image is failed, Please contact the administrator."
		}
		op.RelatedItemSet.RelatedItem = []ecs.RelatedItem{
			{Name: "OSSBucket", Value: t.Bucket},
			{Name: "OSSObject", Value: obj.key},
			{Name: "ImageFormat", Value: t.Format},
		}
		resp.OperationProgressSet.OperationProgress = append(resp.OperationProgressSet.OperationProgress, op)
	}
	return resp, nil
}

// serveControl answers this feature's control endpoints under
// ControlPrefix+"ecs/" (path is what follows it) and reports whether path
// was one of them:
//
//	POST fail-next      body {"kind":"ExportImage"}   -> 204 (FailNext)
//	POST run-schedules                                -> 204 (RunSchedules)
//	POST export-role    body {"authorized":false}     -> 204 (SetExportRoleAuthorized)
//	POST export-scale   body {"bytes_per_gib":4096}   -> 204 (SetExportBytesPerGiB)
func (st *snapStore) serveControl(w http.ResponseWriter, r *http.Request, path string) bool {
	s := st.e.s
	var body struct {
		Kind        string `json:"kind"`
		Authorized  *bool  `json:"authorized"`
		BytesPerGiB *int64 `json:"bytes_per_gib"`
	}
	switch path {
	case "fail-next", "run-schedules", "export-role", "export-scale":
	default:
		return false
	}
	if r.Method != http.MethodPost {
		controlFail(w, http.StatusMethodNotAllowed, "use POST on %s", r.URL.Path)
		return true
	}
	if path != "run-schedules" {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			controlFail(w, http.StatusBadRequest, "bad JSON body: %v", err)
			return true
		}
	}
	switch path {
	case "fail-next":
		if !failKinds[body.Kind] {
			controlFail(w, http.StatusBadRequest, "unknown kind %q", body.Kind)
			return true
		}
		s.FailNext(body.Kind)
	case "run-schedules":
		s.RunSchedules()
	case "export-role":
		if body.Authorized == nil {
			controlFail(w, http.StatusBadRequest, `body must be {"authorized":true|false}`)
			return true
		}
		s.SetExportRoleAuthorized(*body.Authorized)
	case "export-scale":
		if body.BytesPerGiB == nil || *body.BytesPerGiB < 0 {
			controlFail(w, http.StatusBadRequest, `body must be {"bytes_per_gib":n} with n >= 0`)
			return true
		}
		s.SetExportBytesPerGiB(*body.BytesPerGiB)
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}
