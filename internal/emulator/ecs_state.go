package emulator

import (
	"crypto/rand"
	"encoding/binary"
	"net"
	"time"
)

// ECS state. All of it is guarded by ecsService.mu (handlers run with it
// held). Snapshots, auto snapshot policies and images live in their own
// files' stores (see registerECSFeature); the disk and instance fields they
// read are below.

// Durations are how long async operations take on the emulator's clock.
// States are derived from start time + duration when read, so advancing a
// ManualClock moves them without goroutines.
type Durations struct {
	InstanceCreate time.Duration // Pending -> Starting -> Running after RunInstances
	InstanceStart  time.Duration // Starting -> Running
	InstanceStop   time.Duration // Stopping -> Stopped
	CommandRun     time.Duration // Cloud Assistant invocation Running -> Success/Failed
	DiskCreate     time.Duration // CreateDisk: Creating -> Available
	DiskAttach     time.Duration // AttachDisk: Attaching -> In_use
	DiskDetach     time.Duration // DetachDisk: Detaching -> Available

	// Used by the snapshot and image features.
	SnapshotCreate time.Duration
	SnapshotCopy   time.Duration
	ImageCreate    time.Duration
	ImageCopy      time.Duration
	ImageExport    time.Duration
}

// DefaultDurations are short but realistic enough to exercise waiters.
func DefaultDurations() Durations {
	return Durations{
		InstanceCreate: 6 * time.Second,
		InstanceStart:  3 * time.Second,
		InstanceStop:   3 * time.Second,
		CommandRun:     2 * time.Second,
		DiskCreate:     3 * time.Second,
		DiskAttach:     2 * time.Second,
		DiskDetach:     2 * time.Second,
		SnapshotCreate: 5 * time.Second,
		SnapshotCopy:   8 * time.Second,
		ImageCreate:    8 * time.Second,
		ImageCopy:      10 * time.Second,
		ImageExport:    10 * time.Second,
	}
}

// InstantDurations completes every async operation immediately.
func InstantDurations() Durations { return Durations{} }

// SetDurations sets how long async operations take from now on; operations
// already under way keep their durations.
func (s *Server) SetDurations(d Durations) {
	s.ecs.mu.Lock()
	s.ecs.durations = d
	s.ecs.mu.Unlock()
}

// SetEventualConsistency hides every resource created from now on from its
// first n Describe* calls, like the real API's propagation delay. 0 turns
// it off.
func (s *Server) SetEventualConsistency(n int) {
	s.ecs.mu.Lock()
	s.ecs.consistencyLag = n
	s.ecs.mu.Unlock()
}

// created marks a new resource for the eventual consistency switch. Callers
// hold e.mu.
func (e *ecsService) created(id string) {
	if e.consistencyLag > 0 {
		e.lag[id] = e.consistencyLag
	}
}

// hidden reports whether a describe call must still leave the resource out,
// counting this call. Callers hold e.mu.
func (e *ecsService) hidden(id string) bool {
	n := e.lag[id]
	if n <= 0 {
		return false
	}
	if n == 1 {
		delete(e.lag, id)
	} else {
		e.lag[id] = n - 1
	}
	return true
}

// phase is one step of an async transition: status holds until until.
type phase struct {
	status string
	until  time.Time
}

// lifecycle is a status derived from the clock: the phases in order, then
// final once the last has passed.
type lifecycle struct {
	phases []phase
	final  string
	start  time.Time
	end    time.Time
}

// settle sets a stable status.
func (l *lifecycle) settle(status string) { *l = lifecycle{final: status} }

// begin starts a transition at now lasting d, spread evenly over steps,
// ending in final.
func (l *lifecycle) begin(now time.Time, d time.Duration, final string, steps ...string) {
	*l = lifecycle{final: final, start: now, end: now.Add(d)}
	if len(steps) == 0 {
		return
	}
	step := d / time.Duration(len(steps))
	for i, s := range steps {
		until := now.Add(step * time.Duration(i+1))
		if i == len(steps)-1 {
			until = l.end
		}
		l.phases = append(l.phases, phase{status: s, until: until})
	}
}

// at is the status at now.
func (l *lifecycle) at(now time.Time) string {
	for _, p := range l.phases {
		if now.Before(p.until) {
			return p.status
		}
	}
	return l.final
}

// done reports whether the transition has finished at now.
func (l *lifecycle) done(now time.Time) bool { return !now.Before(l.end) }

// progress is the transition's completion in percent at now.
func (l *lifecycle) progress(now time.Time) int {
	total := l.end.Sub(l.start)
	if total <= 0 || !now.Before(l.end) {
		return 100
	}
	if now.Before(l.start) {
		return 0
	}
	return int(now.Sub(l.start) * 100 / total)
}

type ecsAccount struct {
	id      string
	regions map[string]*ecsRegion
}

type ecsRegion struct {
	ID        string
	LocalName string
	code      string // id infix such as "2ze" for cn-beijing
	zones     []*ecsZone

	vpcs           map[string]*ecsVPC
	vswitches      map[string]*ecsVSwitch
	securityGroups map[string]*ecsSecurityGroup
	instances      map[string]*ecsInstance
	disks          map[string]*ecsDisk
	commands       map[string]*ecsCommand
	invocations    map[string]*ecsInvocation
	// clientTokens maps Action + ClientToken to the first call (see
	// rpcCall.replay).
	clientTokens map[string]*clientTokenEntry
}

func (r *ecsRegion) zone(id string) *ecsZone {
	for _, z := range r.zones {
		if z.ID == id {
			return z
		}
	}
	return nil
}

type ecsZone struct {
	ID        string
	LocalName string
}

type ecsVPC struct {
	ID, Name, CIDR string
	Created        time.Time
}

type ecsVSwitch struct {
	ID, Name, VpcID, ZoneID, CIDR string
	Created                       time.Time
}

type ecsSecurityGroup struct {
	ID, Name, VpcID string
	Created         time.Time
}

type ecsInstance struct {
	ID           string
	Name         string
	Description  string
	HostName     string
	RegionID     string
	ZoneID       string
	Type         string
	ImageID      string
	OSName       string
	OSType       string
	VpcID        string
	VSwitchID    string
	SecurityGrps []string
	PrivateIPs   []string // primary first, then secondaries
	Created      time.Time
	Status       lifecycle // Pending, Starting, Running, Stopping, Stopped
	DiskIDs      []string  // system disk first
	Tags         map[string]string
}

type ecsDisk struct {
	ID                   string
	Name                 string
	Description          string
	SizeGiB              int
	Category             string // cloud_essd, cloud_ssd, cloud_efficiency, cloud
	PerformanceLevel     string
	Type                 string // system | data
	InstanceID           string // "" when detached
	Device               string // /dev/xvda, /dev/xvdb, ...
	Status               lifecycle
	ZoneID               string
	RegionID             string
	ImageID              string // the image a system disk came from
	SourceSnapshotID     string
	AutoSnapshotPolicyID string
	Encrypted            bool
	KMSKeyID             string
	DeleteWithInstance   bool
	Created              time.Time
	Tags                 map[string]string
}

// clientTokenEntry remembers an idempotent call: the canonical payload and
// the ids it created.
type clientTokenEntry struct {
	payload string
	ids     []string
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns prefix-<region code><random>, 20 characters after the dash
// as the service does (e.g. i-2ze8v9...).
func newID(prefix, code string) string {
	n := 20 - len(code)
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + "-" + code + string(b)
}

// seedID is a deterministic id: prefix-<code><tag> padded with zeros to 20
// characters after the dash.
func seedID(prefix, code, tag string) string {
	s := code + tag
	for len(s) < 20 {
		s += "0"
	}
	return prefix + "-" + s[:20]
}

// isoTime formats a time as the API does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04Z") }

// isoTimeSec formats a time with seconds, as Cloud Assistant does.
func isoTimeSec(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// freePrivateIP returns the lowest free address of a vSwitch's CIDR block,
// skipping the first ten (reserved by the service and kept for users who
// pick addresses) and the last; ok is false when the block is full.
func freePrivateIP(r *ecsRegion, vsw *ecsVSwitch) (string, bool) {
	_, block, err := net.ParseCIDR(vsw.CIDR)
	if err != nil || block.IP.To4() == nil {
		return "", false
	}
	used := map[string]bool{}
	for _, inst := range r.instances {
		for _, ip := range inst.PrivateIPs {
			used[ip] = true
		}
	}
	ones, bits := block.Mask.Size()
	size := uint32(1) << (bits - ones)
	base := binary.BigEndian.Uint32(block.IP.To4())
	for host := uint32(11); host+1 < size; host++ {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], base+host)
		if ip := net.IP(b[:]).String(); !used[ip] {
			return ip, true
		}
	}
	return "", false
}
