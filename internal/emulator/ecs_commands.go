package emulator

// CommandOutcome scripts how Cloud Assistant invocations on one instance end.
type CommandOutcome struct {
	ExitCode int    `json:"exitCode"`
	Output   string `json:"output"`
	// Hang keeps the invocation Running until its Timeout, then Timeout.
	Hang bool `json:"hang"`
	// Sequence outcomes are used one per invocation, in order; once they
	// are used up the outcome's own fields apply (e.g. fail twice, then pass).
	Sequence []CommandOutcome `json:"sequence,omitempty"`
}

type ecsCommand struct{}

type ecsInvocation struct{}
