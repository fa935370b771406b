package numbertext

import (
	"bytes"
	"context"
	"math/big"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"
)

// A state as the framework encodes it: numbers at every depth and in every
// msgpack width, beside values that must pass through untouched.
var (
	nested = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"days": tftypes.Number, "name": tftypes.String}}
	stateT = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"small":   tftypes.Number,
		"neg":     tftypes.Number,
		"big":     tftypes.Number,
		"huge":    tftypes.Number,
		"frac":    tftypes.Number,
		"null":    tftypes.Number,
		"hours":   tftypes.Set{ElementType: tftypes.Number},
		"list":    tftypes.List{ElementType: nested},
		"sizes":   tftypes.Map{ElementType: tftypes.Number},
		"flag":    tftypes.Bool,
		"name":    tftypes.String,
		"nothing": nested,
	}}
)

func stateValue() tftypes.Value {
	huge, _, _ := big.ParseFloat("123456789012345678901234567890", 10, 512, big.ToNearestEven)
	num := func(n int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n))) }
	return tftypes.NewValue(stateT, map[string]tftypes.Value{
		"small": num(7),
		"neg":   num(-3),
		"big":   num(1 << 40),
		"huge":  tftypes.NewValue(tftypes.Number, huge),
		"frac":  tftypes.NewValue(tftypes.Number, big.NewFloat(0.25)),
		"null":  tftypes.NewValue(tftypes.Number, nil),
		"hours": tftypes.NewValue(tftypes.Set{ElementType: tftypes.Number}, []tftypes.Value{num(2), num(14)}),
		"list": tftypes.NewValue(tftypes.List{ElementType: nested}, []tftypes.Value{
			tftypes.NewValue(nested, map[string]tftypes.Value{"days": num(30), "name": tftypes.NewValue(tftypes.String, "7")}),
		}),
		"sizes":   tftypes.NewValue(tftypes.Map{ElementType: tftypes.Number}, map[string]tftypes.Value{"d-1": num(40), "d-2": num(100000)}),
		"flag":    tftypes.NewValue(tftypes.Bool, true),
		"name":    tftypes.NewValue(tftypes.String, "core"),
		"nothing": tftypes.NewValue(nested, nil),
	})
}

func encoded(t *testing.T) []byte {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(stateT, stateValue())
	if err != nil {
		t.Fatal(err)
	}
	return dv.MsgPack
}

// Terraform 1.11 compares the value it decodes from a read response with the
// value it decodes from the state file using reflect.DeepEqual.
func TestTranscodeMatchesStateFileDecoding(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"small": cty.Number, "neg": cty.Number, "big": cty.Number, "huge": cty.Number, "frac": cty.Number, "null": cty.Number,
		"hours": cty.Set(cty.Number),
		"list":  cty.List(cty.Object(map[string]cty.Type{"days": cty.Number, "name": cty.String})),
		"sizes": cty.Map(cty.Number), "flag": cty.Bool, "name": cty.String,
		"nothing": cty.Object(map[string]cty.Type{"days": cty.Number, "name": cty.String}),
	})
	decode := func(mp []byte) cty.Value {
		v, err := ctymsgpack.Unmarshal(mp, ty)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	original := encoded(t)
	read := decode(original)
	js, err := ctyjson.Marshal(read, ty) // what apply writes to the state file
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := ctyjson.Unmarshal(js, ty)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(read, fromFile) {
		t.Fatal("integers from msgpack now decode like the state file: the workaround may no longer be needed")
	}

	out, err := Transcode(original)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(out)
	if !got.RawEquals(read) {
		t.Fatalf("values changed:\n got %#v\nwant %#v", got, read)
	}
	if !reflect.DeepEqual(got, fromFile) {
		t.Fatalf("the re-encoded value still differs in representation from the state file's")
	}
	again, err := Transcode(out)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("transcoding is not idempotent: %v", err)
	}
}

func TestTranscodeKeepsFrameworkValue(t *testing.T) {
	out, err := Transcode(encoded(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&tfprotov6.DynamicValue{MsgPack: out}).Unmarshal(stateT)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(stateValue()) {
		t.Fatalf("got %v\nwant %v", got, stateValue())
	}
}

func TestTranscodeRejectsTruncatedInput(t *testing.T) {
	in := encoded(t)
	if _, err := Transcode(in[:len(in)-3]); err == nil {
		t.Fatal("truncated msgpack was accepted")
	}
}

type fakeServer struct {
	tfprotov6.ProviderServer
	state []byte
}

func (f fakeServer) ReadResource(context.Context, *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: &tfprotov6.DynamicValue{MsgPack: f.state}, Private: []byte(`{"k":1}`)}, nil
}

func (f fakeServer) ReadDataSource(context.Context, *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return &tfprotov6.ReadDataSourceResponse{State: &tfprotov6.DynamicValue{MsgPack: f.state}}, nil
}

func TestWrapReencodesReads(t *testing.T) {
	in := encoded(t)
	want, err := Transcode(in)
	if err != nil {
		t.Fatal(err)
	}
	s := Wrap(fakeServer{state: bytes.Clone(in)})
	rr, err := s.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{})
	if err != nil || !bytes.Equal(rr.NewState.MsgPack, want) || string(rr.Private) != `{"k":1}` || len(rr.Diagnostics) != 0 {
		t.Fatalf("ReadResource: err=%v diags=%v private=%s", err, rr.Diagnostics, rr.Private)
	}
	dr, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{})
	if err != nil || !bytes.Equal(dr.State.MsgPack, want) {
		t.Fatalf("ReadDataSource: err=%v", err)
	}

	bad := Wrap(fakeServer{state: in[:5]})
	rr, err = bad.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{})
	if err != nil || !bytes.Equal(rr.NewState.MsgPack, in[:5]) || len(rr.Diagnostics) != 1 {
		t.Fatalf("an undecodable state must pass through with a warning: err=%v diags=%d", err, len(rr.Diagnostics))
	}
}
