package cloud

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// A call RAM refuses (ECS Forbidden.RAM, OSS AccessDenied) is a permission
// error naming the refused action, sent once and never retried, and never a
// missing resource.
func TestRAMRefusalIsAPermissionErrorNamingTheAction(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	if err := srv.SetKeyPolicy(emulator.DefaultAccessKeyID, `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"},
		{"Effect":"Deny","Action":["ecs:DescribeSnapshots","ecs:DeleteImage"],"Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, errSnapshot := c.FindSnapshotByID(ctx, emulator.SeedRegion, "s-2zeany00000000000000")
	errDelete := c.DeleteImage(ctx, emulator.SeedRegion, "m-2zedoesnotexist00000", false)
	_, errObject := c.HeadCheckedObject(ctx, emulator.SeedRegion, emulator.SeedBucket, "any")
	for want, err := range map[string]error{"ecs:DescribeSnapshots": errSnapshot, "ecs:DeleteImage": errDelete, "oss:GetObject": errObject} {
		var ae *AccessError
		if !errors.As(err, &ae) || !ae.Permission || IsNotFound(err) || IsObjectNotFound(err) || Retryable(err) {
			t.Errorf("%s: want a permission error, got %v", want, err)
			continue
		}
		if ae.Action != want || !strings.Contains(err.Error(), "RAM refused the action "+want) {
			t.Errorf("%s: the error must name the action: %v", want, err)
		}
	}
	refused := 0
	for _, rec := range srv.Requests() {
		if rec.Status == 403 {
			refused++
		}
	}
	if refused != 3 {
		t.Errorf("%d refused requests, want 3 (a refusal is never retried)", refused)
	}
}
