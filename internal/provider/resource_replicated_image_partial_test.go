package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// When checksumming the export fails, the exported objects are already in
// the bucket: the state records where they are, and destroying the tainted
// resource removes them.
func TestAccReplicatedImage_failedChecksumLeavesNoObjects(t *testing.T) {
	env, c := rimgEnv(t)
	source := rimgImage(t, env, c, "partial-source")
	// Every read of the exported objects is corrupted: checksumming fails
	// after ExportImage wrote them.
	env.Emulator.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt, Path: "/" + emulator.SeedBucket + "/"})
	left := func(*terraform.State) error {
		keys, err := env.Client(t).ListObjectKeys(context.Background(), env.Region, env.Bucket, "partial")
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return fmt.Errorf("objects left in the bucket: %v", keys)
		}
		return nil
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             left,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_replicated_image" "test" {
  source = { image_id = %q }
  name   = "partial-golden"
  export = { bucket = %q, prefix = "partial" }
}`, source, emulator.SeedBucket),
			ExpectError: wrapped(`Failed to export image`),
		}},
	})
}
