// Command alidr-emulator runs the local ECS + OSS emulator in the
// foreground until SIGINT or SIGTERM.
//
//	alidr-emulator [-addr 127.0.0.1:9100] [-data-dir DIR] [-manual-clock] [-strict=false] [-allow-non-loopback]
//
// It prints one line when ready:
//
//	alidr-emulator ready on http://127.0.0.1:9100 (access key alidr-emulator)
//
// Credentials come from ALIDR_EMULATOR_ACCESS_KEY_ID and
// ALIDR_EMULATOR_ACCESS_KEY_SECRET (defaults alidr-emulator /
// alidr-emulator-secret); the secret is never printed. The control API is
// under /_emulator/ (see the emulator package documentation); it has no
// authentication, so the command refuses an address other than loopback
// unless -allow-non-loopback is given, and then warns.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "alidr-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	defAddr := os.Getenv("EMULATOR_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:9100"
	}
	fs := flag.NewFlagSet("alidr-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defAddr, "listen address (default from EMULATOR_ADDR)")
	dataDir := fs.String("data-dir", "", "directory for OSS object data (default: a temporary directory removed on exit)")
	allowRemote := fs.Bool("allow-non-loopback", false, "allow a listen address other than loopback (the control API has no authentication)")
	manual := fs.Bool("manual-clock", false, "start a manual clock at the current time, moved only by POST /_emulator/clock (ECS request timestamps are then not checked)")
	strict := fs.Bool("strict", true, "refuse ECS/STS parameters the official API definitions lack and check required parameters, enums and ranges")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if err := checkLoopback(*addr); err != nil {
		if !*allowRemote {
			return fmt.Errorf("%w; the control API has no authentication, so listen on 127.0.0.1 or [::1], or pass -allow-non-loopback to accept the risk", err)
		}
		fmt.Fprintf(stderr, "alidr-emulator: WARNING: %v; anyone who reaches it can reset the emulator and inject faults\n", err)
	}

	opts := emulator.Options{DataDir: *dataDir, Lenient: !*strict}
	if *manual {
		opts.Clock = emulator.NewManualClock(time.Now())
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	if *manual {
		// Clients stamp ECS calls with wall time; once the control API moves
		// the clock hours away, every call would be InvalidTimeStamp.Expired.
		srv.SetTimestampWindow(0)
	}
	if err := srv.Start(*addr); err != nil {
		srv.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	keyID := os.Getenv("ALIDR_EMULATOR_ACCESS_KEY_ID")
	if keyID == "" {
		keyID = emulator.DefaultAccessKeyID
	}
	fmt.Fprintf(stdout, "alidr-emulator ready on %s (access key %s)\n", srv.URL(), keyID)

	<-ctx.Done()
	fmt.Fprintln(stderr, "alidr-emulator: shutting down")
	return srv.Close()
}

// checkLoopback returns an error unless addr's host is a loopback IP or
// "localhost". An empty host (":9100") listens on every interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address", addr)
}
