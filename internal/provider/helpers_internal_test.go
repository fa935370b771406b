package provider

import (
	"context"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest/fixture"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// testEmulator starts an emulator of the seeded world for the test and
// returns it with a client of its ECS and OSS in the seeded region.
func testEmulator(t *testing.T, opts emulator.Options, maxRetries int) (*emulator.Server, *cloud.Client) {
	t.Helper()
	srv := fixture.StartEmulator(t, opts)
	c, err := cloud.New(context.Background(), cloud.Config{
		Region: seeded.Region, AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: cloud.Endpoints{ECS: srv.URL(), OSS: srv.URL()}, MaxRetries: maxRetries,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}
