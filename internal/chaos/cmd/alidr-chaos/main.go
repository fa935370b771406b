// Command alidr-chaos runs the chaos campaign (`make chaos`): the quickstart
// applied, drilled and destroyed under every fault profile and kill -9 of
// the CLI and of the provider at five moments of the apply. It prints one
// line per run and step on stderr, the figures on stdout, and exits 1 when a
// target is missed.
//
//	alidr-chaos -cli PATH -provider PATH [-examples DIR] [-work DIR] [-short] [-run REGEXP]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"

	"github.com/alidr/terraform-provider-alidr/internal/chaos"
)

func main() {
	cliPath := flag.String("cli", "", "terraform or tofu binary")
	provider := flag.String("provider", "", "the built provider binary (terraform-provider-alidr)")
	examples := flag.String("examples", "examples", "the repository's examples directory")
	work := flag.String("work", "", "directory for the runs' files (default: a new temporary directory, kept)")
	short := flag.Bool("short", false, "the short profile of make test")
	only := flag.String("run", "", "run only the scenarios whose names match this regular expression (the clean run always runs first)")
	flag.Parse()
	if *cliPath == "" || *provider == "" {
		fmt.Fprintln(os.Stderr, "alidr-chaos: give -cli and -provider")
		os.Exit(2)
	}
	if *work == "" {
		dir, err := os.MkdirTemp("", "alidr-chaos-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "alidr-chaos:", err)
			os.Exit(1)
		}
		*work = dir
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &chaos.Campaign{CLI: abs(*cliPath), Provider: abs(*provider), Examples: abs(*examples), WorkDir: abs(*work),
		Log: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }}
	scenarios := chaos.Full()
	if *short {
		scenarios = chaos.Short()
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "alidr-chaos: -run:", err)
			os.Exit(2)
		}
		kept := scenarios[:1]
		for _, sc := range scenarios[1:] {
			if re.MatchString(sc.Name()) {
				kept = append(kept, sc)
			}
		}
		scenarios = kept
	}
	c.Log("chaos campaign: %d runs, files in %s", len(scenarios), c.WorkDir)
	fig, _ := c.RunAll(ctx, scenarios)
	fig.Print(os.Stdout)
	if !fig.Passed() {
		os.Exit(1)
	}
}
