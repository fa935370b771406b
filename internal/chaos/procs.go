package chaos

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// providerProcess returns the pid of a provider plugin process among the
// descendants of root (Linux /proc), 0 when there is none yet.
func providerProcess(root int) int {
	for _, pid := range descendants(root) {
		comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
		// comm is cut to 15 bytes: "terraform-provi".
		if err == nil && strings.HasPrefix(string(comm), "terraform-prov") {
			return pid
		}
	}
	return 0
}

// descendants lists the processes below root.
func descendants(root int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
