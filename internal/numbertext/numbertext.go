// Package numbertext makes a refresh of unchanged objects look unchanged to
// Terraform 1.10 and 1.11: it sends the numbers of ReadResource and
// ReadDataSource results as decimal text instead of msgpack integers.
//
// Why: those Terraform versions decide whether a refresh-only plan is
// applyable (`plan -refresh-only -detailed-exitcode` exit 2) by comparing the
// previous run's state with the refreshed one using reflect.DeepEqual on the
// decoded cty values (states/state_equal.go, sameManagedResources, and the
// decodeValueCache that instance_object.go Encode keeps). The previous state
// comes from the state file, where cty's JSON decoder parses every number
// from text at 512-bit precision; a msgpack integer decodes through
// cty.NumberIntVal at 64-bit precision. Equal numbers then differ in their
// big.Float representation, so any object holding a number reads as changed
// although no attribute is. cty's msgpack decoder parses a number sent as a
// string with the same cty.ParseNumberVal the JSON decoder uses, so both
// sides are identical. Terraform >= 1.12 compares states properly, and
// Terraform 1.5 and OpenTofu decode either form; all of them accept strings
// for numbers (cty's msgpack format falls back to them for large numbers).
package numbertext

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Wrap returns s with ReadResource and ReadDataSource results re-encoded.
// Only the methods of tfprotov6.ProviderServer are forwarded: the provider
// has no actions, list resources or state stores.
func Wrap(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	return server{s}
}

type server struct {
	tfprotov6.ProviderServer
}

func (s server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if err == nil && resp != nil {
		resp.Diagnostics = reencode(resp.NewState, resp.Diagnostics)
	}
	return resp, err
}

func (s server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if err == nil && resp != nil {
		resp.Diagnostics = reencode(resp.State, resp.Diagnostics)
	}
	return resp, err
}

// reencode rewrites v's msgpack in place; a value it cannot walk is left as
// it was (still correct, only subject to the comparison above) and reported.
func reencode(v *tfprotov6.DynamicValue, diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	if v == nil || len(v.MsgPack) == 0 {
		return diags
	}
	out, err := Transcode(v.MsgPack)
	if err != nil {
		return append(diags, &tfprotov6.Diagnostic{
			Severity: tfprotov6.DiagnosticSeverityWarning,
			Summary:  "Refreshed state kept in its original encoding",
			Detail: fmt.Sprintf("The provider could not re-encode the numbers of the refreshed state (%s). "+
				"The state is correct; with Terraform 1.10 and 1.11 a refresh-only plan may report changes where there are none. "+
				"Please report this to the provider developers.", err),
		})
	}
	v.MsgPack = out
	return diags
}

// Transcode copies a cty msgpack value, writing every integer or float as a
// string of its decimal digits. In cty's msgpack format integer and float
// codes carry only numbers (strings, bools, nulls, unknowns and type names
// have codes of their own), so no schema is needed.
func Transcode(in []byte) ([]byte, error) {
	dec := msgpack.NewDecoder(bytes.NewReader(in))
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	if err := copyValue(dec, enc); err != nil {
		return nil, err
	}
	if _, err := dec.PeekCode(); err == nil {
		return nil, fmt.Errorf("trailing bytes after the value")
	}
	return buf.Bytes(), nil
}

func copyValue(dec *msgpack.Decoder, enc *msgpack.Encoder) error {
	c, err := dec.PeekCode()
	if err != nil {
		return err
	}
	switch {
	case msgpcode.IsFixedNum(c), c >= msgpcode.Int8 && c <= msgpcode.Int64:
		n, err := dec.DecodeInt64()
		if err != nil {
			return err
		}
		return enc.EncodeString(strconv.FormatInt(n, 10))
	case c >= msgpcode.Uint8 && c <= msgpcode.Uint64:
		n, err := dec.DecodeUint64()
		if err != nil {
			return err
		}
		return enc.EncodeString(strconv.FormatUint(n, 10))
	case c == msgpcode.Float || c == msgpcode.Double:
		f, err := dec.DecodeFloat64()
		if err != nil {
			return err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return enc.EncodeFloat64(f) // no decimal text; cty decodes it as before
		}
		// The digits cty's JSON encoder writes for the same value.
		return enc.EncodeString(big.NewFloat(f).Text('f', -1))
	case msgpcode.IsFixedArray(c), c == msgpcode.Array16, c == msgpcode.Array32:
		n, err := dec.DecodeArrayLen()
		if err != nil {
			return err
		}
		if err := enc.EncodeArrayLen(n); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := copyValue(dec, enc); err != nil {
				return err
			}
		}
		return nil
	case msgpcode.IsFixedMap(c), c == msgpcode.Map16, c == msgpcode.Map32:
		n, err := dec.DecodeMapLen()
		if err != nil {
			return err
		}
		if err := enc.EncodeMapLen(n); err != nil {
			return err
		}
		for i := 0; i < 2*n; i++ { // keys (strings) and values alternate
			if err := copyValue(dec, enc); err != nil {
				return err
			}
		}
		return nil
	default: // nil, bool, str, bin, ext (unknown values)
		raw, err := dec.DecodeRaw()
		if err != nil {
			return err
		}
		return enc.Encode(raw)
	}
}
