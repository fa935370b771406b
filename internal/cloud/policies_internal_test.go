package cloud

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestDecodeJSONArray(t *testing.T) {
	for in, want := range map[string][]string{
		`["1","14"]`:               {"1", "14"},
		`[1, 14]`:                  {"1", "14"},
		`1,14`:                     {"1", "14"},
		`["cn-shanghai"]`:          {"cn-shanghai"},
		``:                         nil,
		`[]`:                       {},
		`["cn-shanghai", "cn-x"] `: {"cn-shanghai", "cn-x"},
	} {
		got, err := decodeJSONArray(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("decodeJSONArray(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := decodeJSONArray(`[true]`); err == nil {
		t.Error("a boolean element must be an error")
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-11-20T08:00:00Z", "2026-11-20T08:00Z", "2026-11-20T16:00:00+08:00"} {
		if got := ParseTime(in); !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %s", in, got)
		}
	}
	if !ParseTime("yesterday").IsZero() || !ParseTime("").IsZero() {
		t.Error("malformed times must give the zero time")
	}
}

func TestPolicyMissing(t *testing.T) {
	missing := sdkerrors.NewServerError(http.StatusNotFound, `{"Code":"ParameterInvalid","Message":"The specified automatic snapshot policy does not exist."}`, "")
	invalid := sdkerrors.NewServerError(http.StatusForbidden, `{"Code":"ParameterInvalid","Message":"The specified TimePoints parameter is invalid."}`, "")
	old := sdkerrors.NewServerError(http.StatusNotFound, `{"Code":"InvalidAutoSnapshotPolicyId.NotFound","Message":"x"}`, "")
	if !policyMissing(missing) || !policyMissing(old) || policyMissing(invalid) || policyMissing(nil) {
		t.Fatal("ParameterInvalid/404 and *.NotFound mean missing; ParameterInvalid/403 is a bad parameter")
	}
	var nf *NotFoundError
	if err := policyErr(missing, "sp-1", emulator.SeedRegion); !errors.As(err, &nf) || nf.ID != "sp-1" {
		t.Fatalf("policyErr = %v", err)
	}
	if err := policyErr(invalid, "sp-1", emulator.SeedRegion); err != invalid { //nolint:errorlint // identity: returned unchanged
		t.Fatalf("policyErr changed an unrelated error: %v", err)
	}
}

func TestTokenRetryable(t *testing.T) {
	if !tokenRetryable(errors.New("unexpected EOF")) {
		t.Error("a cut-off answer is retried when the call carries a token")
	}
	if !tokenRetryable(sdkerrors.NewClientError(sdkerrors.JsonUnmarshalErrorCode, "bad json", nil)) {
		t.Error("an unreadable answer is retried when the call carries a token")
	}
	bad := sdkerrors.NewServerError(http.StatusBadRequest, `{"Code":"InvalidRetentionDays.Malformed","Message":"x"}`, "")
	if tokenRetryable(bad) {
		t.Error("validation errors are never retried")
	}
}

func TestPolicyTagsHideProviderKeys(t *testing.T) {
	p := &ecs.AutoSnapshotPolicy{}
	p.Tags.Tag = []ecs.Tag{{TagKey: "team", TagValue: "core"}, {Key: TagClientToken, Value: "t"}, {Key: TagRetentionTiers, Value: "monthly=3,yearly=1"}}
	if got := PolicyTags(p); len(got) != 1 || got["team"] != "core" {
		t.Fatalf("PolicyTags = %v", got)
	}
	if got := PolicyRawTags(p); len(got) != 3 {
		t.Fatalf("PolicyRawTags = %v", got)
	}
}
