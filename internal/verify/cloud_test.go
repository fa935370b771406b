package verify

import (
	"fmt"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
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
