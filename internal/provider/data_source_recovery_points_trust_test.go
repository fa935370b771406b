package provider_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"regexp"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestAccRecoveryPoints_forgedVerification plays an attacker holding the
// account's keys: a forged verified tag, an attestation signed with the
// attacker's own key, a genuine attestation of a failed run, and a genuine
// attestation of a run that never covered the point. None makes a point
// verified; only a verification run applied with the pipeline's key does,
// and the restore then picks that point.
func TestAccRecoveryPoints_forgedVerification(t *testing.T) {
	env := acctest.NewInstantEmulated(t, "needs its new snapshots usable at once (instant durations) and counts every point of the data disk")
	c := env.Client(t)
	ctx := context.Background()
	snap := func() string {
		t.Helper()
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = env.DataDiskID
		resp := ecs.CreateCreateSnapshotResponse()
		if err := c.DoECS(ctx, env.Region, req, resp); err != nil {
			t.Fatal(err)
		}
		return resp.SnapshotId
	}
	genuine := snap()
	forgedTag, foreignKey, failedRun, otherPoint := snap(), snap(), snap(), snap()
	trust := newTestTrust(t, env, "alidr-proofs-forged")
	tagAsVerified(t, c, env.Region, "vr-does-not-exist", forgedTag)
	trust.vouch(t, trustKey(66), "vr-attacker", attest.StatusPassed, foreignKey)
	trust.vouch(t, trust.key, "vr-failed", "failed", failedRun)
	trust.sign(t, trust.key, "vr-other", attest.StatusPassed, genuine)
	tagAsVerified(t, c, env.Region, "vr-other", otherPoint)
	env.OnEmulator(func(s *emulator.Server) {
		s.ScriptCommand(env.InstanceID, emulator.CommandOutcome{ExitCode: 0, Output: "ok\n"})
	})

	point := func(id string, verified bool) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id), "verified": knownvalue.Bool(verified)})
	}
	// all checks the verified flag of every point the data source lists.
	all := func(verifiedGenuine bool) resource.TestCheckFunc {
		want := map[string]string{genuine: fmt.Sprint(verifiedGenuine), forgedTag: "false", foreignKey: "false", failedRun: "false", otherPoint: "false"}
		return func(s *terraform.State) error {
			a := s.RootModule().Resources["data.alidr_recovery_points.all"].Primary.Attributes
			if a["points.#"] != fmt.Sprint(len(want)) {
				return fmt.Errorf("%s points, want %d", a["points.#"], len(want))
			}
			for i := range len(want) {
				id, v := a[fmt.Sprintf("points.%d.id", i)], a[fmt.Sprintf("points.%d.verified", i)]
				if want[id] != v {
					return fmt.Errorf("point %s verified = %s, want %s", id, v, want[id])
				}
			}
			return nil
		}
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Without trusted keys only_verified cannot be answered.
				Config:      env.Config("data \"alidr_recovery_points\" \"v\" {\n  disk_id       = %q\n  only_verified = true\n}", env.DataDiskID),
				ExpectError: wrappedRE("No trusted attestation keys", "never proof"),
			},
			{
				// Nor can a restore.
				Config:      restoredConfig(env, fmt.Sprintf("{ recovery_point = { disk_id = %q, only_verified = true } }", env.SystemDiskID), "ecs.g7.large", ""),
				ExpectError: wrappedRE("no trusted keys", "never proof"),
			},
			{
				// The genuine point's tags were never written: it is not
				// found either, and every forgery fails.
				Config: trust.config(false, `
data "alidr_recovery_points" "all" {
  disk_id = %q
}`, env.DataDiskID),
				Check: all(false),
			},
			{
				Config:      trust.config(false, "data \"alidr_recovery_points\" \"v\" {\n  disk_id       = %q\n  only_verified = true\n}", env.DataDiskID),
				ExpectError: regexp.MustCompile(`0\s+are\s+verified`),
			},
			{
				// A verification run applied with the pipeline's key signs
				// its attestation into the vault; then the point is trusted.
				Config: trust.config(true, `
resource "alidr_verification_run" "r" {
  boot_test       = { instance_id = %q, command = "true" }
  verified_points = [%q]
}
data "alidr_recovery_points" "v" {
  disk_id       = %q
  only_verified = true
  depends_on    = [alidr_verification_run.r]
}
data "alidr_recovery_points" "all" {
  disk_id    = %[3]q
  depends_on = [alidr_verification_run.r]
}`, env.InstanceID, genuine, env.DataDiskID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("alidr_verification_run.r", tfjsonpath.New("attestation_object"),
						knownvalue.StringRegexp(regexp.MustCompile(`^oss://alidr-proofs-forged/alidr-attestations/vr-\S+\.json$`))),
					statecheck.ExpectKnownValue("data.alidr_recovery_points.v", tfjsonpath.New("newest"), point(genuine, true)),
				},
				Check: resource.ComposeTestCheckFunc(all(true), func(s *terraform.State) error {
					// The attestation is in the vault, signed by the trusted key.
					url := s.RootModule().Resources["alidr_verification_run.r"].Primary.Attributes["attestation_object"]
					data, err := c.ReadSmallObject(ctx, env.Region, "alidr-proofs-forged", url[len("oss://alidr-proofs-forged/"):], 1<<20)
					if err != nil {
						return err
					}
					st, err := attest.Verify(data, []ed25519.PublicKey{trust.key.Public().(ed25519.PublicKey)})
					if err != nil || !st.Vouches(genuine) || st.ReportDigest == "" || len(st.Checks) == 0 {
						return fmt.Errorf("attestation %+v: %w", st, err)
					}
					return nil
				}),
			},
		},
	})
}
