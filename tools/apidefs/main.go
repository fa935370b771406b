// Command apidefs writes the emulator's table of ECS and STS API
// definitions (internal/emulator/apidefs_gen.go) from the official SDKs:
//
//   - ECS: the request models of github.com/alibabacloud-go/ecs-20140526/v7.
//     Wire names and nesting come from the models' json tags by reflection
//     (the SDK's openapi-util Query flattens them the same way: slices become
//     Name.N, nested structs Name.Sub); a model field the client sends as a
//     JSON document (a map, or a field its *ShrinkRequest model renames to
//     *Shrink) is one JSON-string parameter. Required parameters, enums,
//     integer ranges and list lengths come from the models' doc comments,
//     read with go/parser, where they are stated in the generator's fixed
//     phrasing only (see doc.go).
//   - STS: no generated 2015-04-01 model module is served, so names come from
//     the request structs of the pinned alibaba-cloud-sdk-go services/sts
//     (their `name` tags) and requiredness from the API reference (cited in
//     stsRequired).
//
// Run it with `make apidefs` from the repository root.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"sort"
	"strings"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// ecsModule is the module the ECS definitions come from; its version is the
// one tools/go.mod pins.
const ecsModule = "github.com/alibabacloud-go/ecs-20140526/v7"

// ecsModels are the request models of the actions the emulator implements
// and the provider calls. The action is the type name without "Request".
var ecsModels = []any{
	ecs.ApplyAutoSnapshotPolicyRequest{},
	ecs.AttachDiskRequest{},
	ecs.CancelAutoSnapshotPolicyRequest{},
	ecs.CancelCopyImageRequest{},
	ecs.CancelTaskRequest{},
	ecs.CopyImageRequest{},
	ecs.CopySnapshotRequest{},
	ecs.CreateAutoSnapshotPolicyRequest{},
	ecs.CreateCommandRequest{},
	ecs.CreateDiskRequest{},
	ecs.CreateImageRequest{},
	ecs.CreateSnapshotRequest{},
	ecs.DeleteAutoSnapshotPolicyRequest{},
	ecs.DeleteDiskRequest{},
	ecs.DeleteImageRequest{},
	ecs.DeleteInstanceRequest{},
	ecs.DeleteInstancesRequest{},
	ecs.DeleteSnapshotRequest{},
	ecs.DescribeAutoSnapshotPolicyExRequest{},
	ecs.DescribeCloudAssistantStatusRequest{},
	ecs.DescribeDisksRequest{},
	ecs.DescribeImageSharePermissionRequest{},
	ecs.DescribeImagesRequest{},
	ecs.DescribeInstanceStatusRequest{},
	ecs.DescribeInstanceTypesRequest{},
	ecs.DescribeInstancesRequest{},
	ecs.DescribeInvocationResultsRequest{},
	ecs.DescribeInvocationsRequest{},
	ecs.DescribeLockedSnapshotsRequest{},
	ecs.DescribeRegionsRequest{},
	ecs.DescribeSecurityGroupsRequest{},
	ecs.DescribeSnapshotsRequest{},
	ecs.DescribeTaskAttributeRequest{},
	ecs.DescribeTasksRequest{},
	ecs.DescribeVSwitchesRequest{},
	ecs.DescribeZonesRequest{},
	ecs.DetachDiskRequest{},
	ecs.ExportImageRequest{},
	ecs.InvokeCommandRequest{},
	ecs.ListTagResourcesRequest{},
	ecs.LockSnapshotRequest{},
	ecs.ModifyAutoSnapshotPolicyExRequest{},
	ecs.ModifyImageAttributeRequest{},
	ecs.ModifyImageSharePermissionRequest{},
	ecs.ModifyInstanceAttributeRequest{},
	ecs.ModifySnapshotAttributeRequest{},
	ecs.ModifySnapshotCategoryRequest{},
	ecs.RebootInstanceRequest{},
	ecs.ResizeDiskRequest{},
	ecs.RunCommandRequest{},
	ecs.RunInstancesRequest{},
	ecs.StartInstanceRequest{},
	ecs.StartInstancesRequest{},
	ecs.StopInstanceRequest{},
	ecs.StopInstancesRequest{},
	ecs.StopInvocationRequest{},
	ecs.TagResourcesRequest{},
	ecs.UnlockSnapshotRequest{},
	ecs.UntagResourcesRequest{},
}

// stsModels are the STS 2015-04-01 requests of the pinned v1 SDK.
var stsModels = []any{sts.AssumeRoleRequest{}, sts.GetCallerIdentityRequest{}}

// stsRequired are the STS parameters the API reference marks required:
// AssumeRole, https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole
// (RoleArn and RoleSessionName: "Yes"); GetCallerIdentity has no request
// parameters of its own.
var stsRequired = map[string][]string{"AssumeRole": {"RoleArn", "RoleSessionName"}}

func main() {
	out := flag.String("out", "../internal/emulator/apidefs_gen.go", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "apidefs:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	version, dir, err := moduleDir(ecsModule)
	if err != nil {
		return err
	}
	docs, err := parseModelDocs(dir + "/client")
	if err != nil {
		return err
	}
	var ecsActions, stsActions []action
	var untyped []string
	for _, m := range ecsModels {
		a, skipped := ecsAction(reflect.TypeOf(m), docs)
		ecsActions = append(ecsActions, a)
		untyped = append(untyped, skipped...)
	}
	for _, m := range stsModels {
		stsActions = append(stsActions, stsAction(reflect.TypeOf(m)))
	}
	if len(untyped) > 0 {
		return fmt.Errorf("parameters the generator cannot type: %s", strings.Join(untyped, ", "))
	}
	src, err := render(version, ecsActions, stsActions)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// moduleDir returns the version and source directory of a module required
// by tools/go.mod.
func moduleDir(path string) (version, dir string, err error) {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", path).Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", path, err)
	}
	version, dir, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok || dir == "" {
		return "", "", fmt.Errorf("go list -m %s: module not downloaded (run go mod download)", path)
	}
	return version, dir, nil
}

// action is one action's definition as written to the table.
type action struct {
	Name   string
	Model  string
	Params map[string]param // by wire pattern, "N" for list indices
	MaxN   map[string]int   // documented maximum index per list pattern
}

type param struct {
	Type     string // paramString, paramInteger, ...
	Required bool
	Enum     []string
	EnumList bool // a comma-separated list of Enum values
	Min, Max int64
	Ranged   bool
}

// ecsAction walks a request model. skipped names fields of a kind the table
// cannot express.
func ecsAction(t reflect.Type, docs modelDocs) (action, []string) {
	a := action{Name: strings.TrimSuffix(t.Name(), "Request"), Model: t.Name(), Params: map[string]param{}, MaxN: map[string]int{}}
	shrunk := docs.shrunkFields(a.Name + "ShrinkRequest")
	var skipped []string
	var walk func(t reflect.Type, prefix string, top bool)
	// value adds the parameters of one value of type t sent as wire.
	value := func(t reflect.Type, wire, doc string) {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			walk(t, wire+".", false)
			return
		}
		p, ok := scalar(t, doc)
		if !ok {
			skipped = append(skipped, a.Name+"."+wire)
			return
		}
		a.Params[wire] = p
	}
	walk = func(t reflect.Type, prefix string, top bool) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			wire := prefix + name
			doc := docs.field(t.Name(), f.Name)
			switch {
			case top && shrunk[name]:
				a.Params[wire] = param{Type: "paramJSON", Required: isRequired(doc)}
			case f.Type.Kind() == reflect.Map:
				skipped = append(skipped, a.Name+"."+wire+" (a map not sent as JSON)")
			case f.Type.Kind() == reflect.Slice:
				if n, ok := maxIndex(doc, docs, f.Type.Elem()); ok {
					a.MaxN[wire+".N"] = n
				}
				value(f.Type.Elem(), wire+".N", doc)
			default:
				value(f.Type, wire, doc)
			}
		}
	}
	walk(t, "", true)
	return a, skipped
}

// scalar types one value from its Go kind and doc comment.
func scalar(t reflect.Type, doc string) (param, bool) {
	p := param{Required: isRequired(doc)}
	switch t.Kind() {
	case reflect.String:
		p.Type = "paramString"
		p.Enum, p.EnumList = enumValues(doc)
	case reflect.Int32, reflect.Int64:
		p.Type = "paramInteger"
		p.Min, p.Max, p.Ranged = intRange(doc)
		if !p.Ranged {
			p.Enum, p.EnumList = enumValues(doc)
		}
	case reflect.Float32, reflect.Float64:
		p.Type = "paramNumber"
	case reflect.Bool:
		p.Type = "paramBoolean"
	default:
		return param{}, false
	}
	return p, true
}

// stsAction reads a v1 SDK request's `name` tags.
func stsAction(t reflect.Type) action {
	a := action{Name: strings.TrimSuffix(t.Name(), "Request"), Model: "alibaba-cloud-sdk-go services/sts " + t.Name(), Params: map[string]param{}, MaxN: map[string]int{}}
	required := map[string]bool{}
	for _, n := range stsRequired[a.Name] {
		required[n] = true
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("name")
		if f.Anonymous || name == "" {
			continue
		}
		typ := "paramString"
		if f.Type.Name() == "Integer" {
			typ = "paramInteger"
		}
		a.Params[name] = param{Type: typ, Required: required[name]}
	}
	return a
}

// render writes the generated Go file.
func render(ecsVersion string, ecsActions, stsActions []action) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by tools/apidefs; DO NOT EDIT.
//
// Regenerate with `+"`make apidefs`"+` (cd tools && go run ./apidefs). Sources:
// ECS: %s %s request models (json tags, doc comments).
// STS: the request structs of alibaba-cloud-sdk-go services/sts pinned in
// tools/go.mod, requiredness from the STS API reference.

package emulator

`, ecsModule, ecsVersion)
	writeTable(&b, "ecsAPIDefs", "the ECS 2014-05-26 actions the emulator serves, from "+ecsModule+" "+ecsVersion, ecsActions)
	writeTable(&b, "stsAPIDefs", "the STS 2015-04-01 actions the emulator serves", stsActions)
	return format.Source(b.Bytes())
}

func writeTable(b *bytes.Buffer, name, doc string, actions []action) {
	sort.Slice(actions, func(i, j int) bool { return actions[i].Name < actions[j].Name })
	fmt.Fprintf(b, "// %s are %s.\nvar %s = map[string]apiAction{\n", name, doc, name)
	for _, a := range actions {
		fmt.Fprintf(b, "%q: {\nModel: %q,\nParams: map[string]apiParam{\n", a.Name, a.Model)
		for _, k := range slices.Sorted(maps.Keys(a.Params)) {
			p := a.Params[k]
			fmt.Fprintf(b, "%q: {Type: %s", k, p.Type)
			if p.Required {
				b.WriteString(", Required: true")
			}
			if len(p.Enum) > 0 {
				fmt.Fprintf(b, ", Enum: %#v", p.Enum)
			}
			if p.EnumList {
				b.WriteString(", EnumList: true")
			}
			if p.Ranged {
				fmt.Fprintf(b, ", Ranged: true, Min: %d, Max: %d", p.Min, p.Max)
			}
			b.WriteString("},\n")
		}
		b.WriteString("},\n")
		if len(a.MaxN) > 0 {
			b.WriteString("MaxN: map[string]int{")
			for _, k := range slices.Sorted(maps.Keys(a.MaxN)) {
				fmt.Fprintf(b, "%q: %d, ", k, a.MaxN[k])
			}
			b.WriteString("},\n")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")
}
