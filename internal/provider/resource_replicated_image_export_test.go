package provider_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// rimgObject downloads an object with the OSS SDK and hashes it
// independently of the transfer engine.
func rimgObject(t *testing.T, b *oss.Bucket, key string) (size int64, md5hex, sha256hex, crc string) {
	t.Helper()
	r, err := b.GetObject(key)
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	defer r.Close()
	m, s, c := md5.New(), sha256.New(), crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(io.MultiWriter(m, s, c), r)
	if err != nil {
		t.Fatal(err)
	}
	return n, hex.EncodeToString(m.Sum(nil)), hex.EncodeToString(s.Sum(nil)), strconv.FormatUint(c.Sum64(), 10)
}

func TestAccReplicatedImage_export(t *testing.T) {
	env, c := rimgEnv(t)
	dr1 := env.DRRegions[0]
	source := rimgImage(t, env, c, "export-source")
	bucket := env.OSSBucket(t)
	// ECS names the exported objects; the provider reads the names from the
	// export task. The checks take them from state and require them to be
	// exactly the objects in the bucket.
	var object, dataObject string // the system disk and the core-db instance's data disk
	var firstDataMD5 string
	cfg := func(export string) string {
		return rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { image_id = %q }
  name    = "core-golden"
  targets = { (local.dr1) = {} }
  %s
}`, source, export)
	}
	full := cfg(`export = {
    bucket    = local.bucket
    prefix    = "core"
    format    = "qcow2"
    checksums = ["crc64", "md5", "sha256"]
  }`)
	var firstMD5 string
	checkExport := func(s *terraform.State) error {
		object, dataObject = rimgStateValue(s, "export.object"), rimgStateValue(s, "export.data_objects.0")
		if err := rimgOnlyExported(bucket, object, dataObject); err != nil {
			return err
		}
		// The home region does not honour ImageFormat: the state says what ECS made.
		if f := rimgStateValue(s, "export.exported_format"); f != "raw" {
			return fmt.Errorf("exported_format = %q, want raw (the format the task reports)", f)
		}
		size, m, sh, crc := rimgObject(t, bucket, object)
		got := map[string]string{
			"export.object": object, "export.manifest_object": object + ".manifest.json",
			"export.md5": m, "export.sha256": sh, "export.crc64": crc, "export.size": strconv.FormatInt(size, 10),
		}
		for k, want := range got {
			if v := rimgStateValue(s, k); v != want {
				return fmt.Errorf("%s = %q, independent computation says %q", k, v, want)
			}
		}
		if firstMD5 != "" && m != firstMD5 {
			return fmt.Errorf("exported object md5 %s, first export was %s", m, firstMD5)
		}
		firstMD5 = m
		r, err := bucket.GetObject(object + ".manifest.json")
		if err != nil {
			return err
		}
		defer r.Close()
		raw, _ := io.ReadAll(r)
		man, err := transfer.ParseManifest(raw)
		if err != nil {
			return err
		}
		if man.Size != size || man.CRC64 != crc || man.MD5 != m || man.SHA256 != sh || len(man.Parts) < 2 {
			return fmt.Errorf("manifest %+v does not describe the object (size %d crc %s)", man, size, crc)
		}
		for _, p := range man.Parts {
			if p.SHA256 == "" || p.CRC64 == "" {
				return fmt.Errorf("manifest part %d lacks checksums", p.Index)
			}
		}
		// The data disk's object has its own manifest.
		if n := rimgStateValue(s, "export.data_objects.#"); n != "1" {
			return fmt.Errorf("data_objects has %s items, want 1", n)
		}
		dsize, dmd5, dsha, dcrc := rimgObject(t, bucket, dataObject)
		if firstDataMD5 != "" && dmd5 != firstDataMD5 {
			return fmt.Errorf("data object md5 %s, first export was %s", dmd5, firstDataMD5)
		}
		firstDataMD5 = dmd5
		dr, err := bucket.GetObject(dataObject + ".manifest.json")
		if err != nil {
			return err
		}
		defer dr.Close()
		raw, _ = io.ReadAll(dr)
		dman, err := transfer.ParseManifest(raw)
		if err != nil {
			return err
		}
		if dman.Size != dsize || dman.MD5 != dmd5 || dman.SHA256 != dsha || dman.CRC64 != dcrc {
			return fmt.Errorf("data manifest %+v does not describe %s", dman, dataObject)
		}
		return nil
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(rimgNoImagesLeft(t, env, c, source), func(*terraform.State) error {
			for _, prefix := range []string{"core/", "v2/"} {
				lr, err := bucket.ListObjects(oss.Prefix(prefix))
				if err != nil {
					return err
				}
				if len(lr.Objects) != 0 {
					return fmt.Errorf("%d objects left in the bucket after destroy, first %s", len(lr.Objects), lr.Objects[0].Key)
				}
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("exported_format"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("source").AtMapKey("image_id"), knownvalue.StringExact(source)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("id"), knownvalue.StringExact(source)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("etag"), knownvalue.NotNull()),
				},
				Check: checkExport,
			},
			{
				// The exported object is deleted: refresh notices, apply exports again.
				PreConfig: func() {
					if err := bucket.DeleteObject(object); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("md5")),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("status"), knownvalue.StringExact("Available")),
					},
				},
				Check: checkExport,
			},
			{
				// The exported object is overwritten: its ETag changes.
				PreConfig: func() {
					if err := bucket.PutObject(object, strings.NewReader("tampered")); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checkExport,
			},
			{
				// A data disk object is overwritten: checked against its manifest.
				PreConfig: func() {
					if err := bucket.PutObject(dataObject, strings.NewReader("tampered")); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("data_objects")),
					},
				},
				Check: checkExport,
			},
			{
				// Fewer checksums: recomputed, not exported again.
				Config: cfg(`export = {
    bucket    = local.bucket
    prefix    = "core"
    format    = "qcow2"
    checksums = ["md5"]
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("object"), knownvalue.StringFunc(func(v string) error {
							if v != object {
								return fmt.Errorf("object %q, want the exported %q kept", v, object)
							}
							return nil
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("crc64"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					if v := rimgStateValue(s, "export.md5"); v != firstMD5 {
						return fmt.Errorf("md5 %q, want %q", v, firstMD5)
					}
					return nil
				},
			},
			{
				// A new prefix exports again and removes the old objects.
				Config: cfg(`export = {
    bucket = local.bucket
    prefix = "v2"
  }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("checksums"), knownvalue.SetSizeExact(3)),
				},
				Check: func(s *terraform.State) error {
					v2, v2data := rimgStateValue(s, "export.object"), rimgStateValue(s, "export.data_objects.0")
					if !strings.HasPrefix(v2, "v2") || v2 == object {
						return fmt.Errorf("object after the prefix change: %q (before %q)", v2, object)
					}
					// Only the new export is left: the old objects and manifests are gone.
					if err := rimgOnlyExported(bucket, v2, v2data); err != nil {
						return err
					}
					_, m, _, _ := rimgObject(t, bucket, v2)
					if v := rimgStateValue(s, "export.md5"); v != m {
						return fmt.Errorf("md5 %s, object has %s", v, m)
					}
					return nil
				},
			},
		},
	})
}

// rimgOnlyExported checks that the bucket holds exactly the exported objects
// named and their manifests.
func rimgOnlyExported(bucket *oss.Bucket, keys ...string) error {
	lr, err := bucket.ListObjects()
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, k := range keys {
		if k == "" {
			return fmt.Errorf("an exported object key is empty: %q", keys)
		}
		want[k], want[k+".manifest.json"] = true, true
	}
	var got []string
	for _, o := range lr.Objects {
		got = append(got, o.Key)
	}
	if len(got) != len(want) {
		return fmt.Errorf("bucket holds %v, want exactly %q and their manifests", got, keys)
	}
	for _, k := range got {
		if !want[k] {
			return fmt.Errorf("bucket holds %v, want exactly %q and their manifests", got, keys)
		}
	}
	return nil
}
