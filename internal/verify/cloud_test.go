package verify

import (
	"fmt"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// The service's SignatureDoesNotMatch message quotes the string it signed,
// key id and token included; a check's detail must not carry them.
func TestCompactAPIErrorRedactsTheServiceMessage(t *testing.T) {
	se := sdkerrors.NewServerError(400, `{"Code":"SignatureDoesNotMatch","RequestId":"r1","Message":"server string to sign is:POST&%2F&AccessKeyId%3DSTS.leakykey%26Action%3DRunCommand%26SecurityToken%3DCAISleakytoken%26Version%3D2014-05-26"}`, "")
	got := compactAPIError(fmt.Errorf("ECS RunCommand in cn-beijing: %w", se)).Error()
	if strings.Contains(got, "leakykey") || strings.Contains(got, "leakytoken") || !strings.Contains(got, "SignatureDoesNotMatch") {
		t.Fatalf("detail %q", got)
	}
}

// A RAM refusal in a check's detail names the refused action, which the
// service's own message does not.
func TestCompactAPIErrorNamesTheRefusedAction(t *testing.T) {
	se := sdkerrors.NewServerError(403, `{"Code":"Forbidden.RAM","RequestId":"r2","Message":"User not authorized to operate on the specified resource, or this API doesn't support RAM.","AccessDeniedDetail":{"AuthAction":"ecs:RunCommand","NoPermissionType":"ImplicitDeny"}}`, "")
	err := &cloud.AccessError{Code: "Forbidden.RAM", Permission: true, Call: "ECS RunCommand in cn-beijing", Action: "ecs:RunCommand", Err: se}
	if got := compactAPIError(err).Error(); got != "Forbidden.RAM: RAM refused the action ecs:RunCommand (RequestId r2)" {
		t.Fatalf("detail %q", got)
	}
}
