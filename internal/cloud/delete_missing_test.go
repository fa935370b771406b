package cloud_test

import (
	"context"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestDeleteMissingImageIsAlreadyDeleted: DeleteImage of an image that does
// not exist answers 404 InvalidImageId.NotFound (the DeleteImage reference's
// error codes), and the client takes it as already deleted.
func TestDeleteMissingImageIsAlreadyDeleted(t *testing.T) {
	ctx := context.Background()
	_, c := startEmulator(t, emulator.Options{})
	const missing = "m-2zemissing0000000000"
	req := ecs.CreateDeleteImageRequest()
	req.ImageId = missing
	if err := c.DoECS(ctx, "cn-beijing", req, ecs.CreateDeleteImageResponse()); cloud.ErrorCode(err) != "InvalidImageId.NotFound" {
		t.Fatalf("DeleteImage of a missing image answered %v, want InvalidImageId.NotFound", err)
	}
	if err := c.DeleteImage(ctx, "cn-beijing", missing, false); err != nil {
		t.Fatalf("deleting a missing image must succeed: %v", err)
	}
	if !c.WasDeleted(missing) {
		t.Fatal("a missing image is not remembered as deleted")
	}
}
