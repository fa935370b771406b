package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestRunPrintsReadyLineAndStopsOnSIGTERM(t *testing.T) {
	t.Setenv("ALIDR_EMULATOR_ACCESS_KEY_SECRET", "top-secret-value")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var stderr strings.Builder
	go func() {
		done <- run([]string{"-addr", "127.0.0.1:0", "-manual-clock", "-strict=false", "-data-dir", t.TempDir()}, pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("no ready line: %v %s", <-done, stderr.String())
	}
	line := sc.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	const prefix = "alidr-emulator ready on http://127.0.0.1:"
	if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, "(access key "+emulator.DefaultAccessKeyID+")") || strings.Contains(line, "top-secret-value") {
		t.Fatalf("ready line %q", line)
	}
	url := strings.Fields(line)[3]
	req, _ := http.NewRequest(http.MethodGet, url+emulator.ControlPrefix+"health", nil)
	req.Header.Set(emulator.ControlHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"manual_clock":true`) || !strings.Contains(string(body), `"strict":false`) {
		t.Fatalf("health %d %s", resp.StatusCode, body)
	}

	// With the manual clock days ahead, an ECS call stamped with wall time
	// still goes through.
	req, _ = http.NewRequest(http.MethodPost, url+emulator.ControlPrefix+"clock", strings.NewReader(`{"advance":"72h"}`))
	req.Header.Set(emulator.ControlHeader, "1")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("advance the clock: %v %v", err, resp)
	}
	resp.Body.Close()
	c, err := ecs.NewClientWithAccessKey(emulator.SeedRegion, emulator.DefaultAccessKeyID, "top-secret-value")
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(url, "http://")
	if _, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatalf("ECS call 72h after the clock's start: %v", err)
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out, errOut strings.Builder
	if err := run([]string{"-nope"}, &out, &errOut); err == nil {
		t.Fatal("unknown flag accepted")
	}
	if err := run([]string{"extra"}, &out, &errOut); err == nil {
		t.Fatal("positional argument accepted")
	}
	if out.Len() != 0 {
		t.Fatalf("printed %q", out.String())
	}
}

func TestRunRefusesNonLoopbackWithoutFlag(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		var out, errOut strings.Builder
		err := run([]string{"-addr", addr}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "-allow-non-loopback") {
			t.Errorf("-addr %s: %v, want a refusal naming -allow-non-loopback", addr, err)
		}
		if out.Len() != 0 {
			t.Errorf("-addr %s printed %q", addr, out.String())
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.2:9100", "[::1]:0", "localhost:0"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
