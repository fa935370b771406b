// Command gen writes the response examples of the official ECS API models
// (github.com/alibabacloud-go/ecs-20140526/v7, the generated SDK whose field
// comments carry the API reference's example values) as JSON, one file per
// action. It reads the module's source and imports nothing of it:
//
//	go run ./internal/cloud/testdata/responses/gen \
//	    -src "$(go mod download -json github.com/alibabacloud-go/ecs-20140526/v7@v7.7.0 | jq -r .Dir)/client" \
//	    -out internal/cloud/testdata/responses DescribeRegions DescribeImages ...
//
// A field without an example is left out of the JSON and listed on standard
// error; <Action>.fields lists every field of the model, example or not.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
)

func main() {
	src := flag.String("src", "", "the v7 module's client directory")
	out := flag.String("out", ".", "where to write <Action>.json")
	flag.Parse()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, *src, func(fi os.FileInfo) bool { return strings.HasSuffix(fi.Name(), "_response_body_model.go") }, parser.ParseComments)
	if err != nil {
		fail(err)
	}
	types := map[string]*ast.StructType{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok {
					for _, s := range g.Specs {
						if ts, ok := s.(*ast.TypeSpec); ok {
							if st, ok := ts.Type.(*ast.StructType); ok {
								types[ts.Name.Name] = st
							}
						}
					}
				}
			}
		}
	}
	for _, action := range flag.Args() {
		g := gen{types: types}
		v := g.object(action+"ResponseBody", action)
		raw, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(filepath.Join(*out, action+".json"), append(raw, '\n'), 0o644); err != nil {
			fail(err)
		}
		for _, m := range g.missing {
			fmt.Fprintf(os.Stderr, "%s: no example for %s\n", action, m)
		}
		fields := strings.Join(g.fields, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(*out, action+".fields"), []byte(fields), 0o644); err != nil {
			fail(err)
		}
	}
}

type gen struct {
	types   map[string]*ast.StructType
	missing []string
	fields  []string // every leaf, as Outer.Inner[].Leaf without the action
}

func (g *gen) object(typeName, path string) map[string]any {
	st, ok := g.types[typeName]
	if !ok {
		fail(fmt.Errorf("no type %s", typeName))
	}
	obj := map[string]any{}
	for _, f := range st.Fields.List {
		if f.Tag == nil || len(f.Names) == 0 {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		name := strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		if v, ok := g.value(f.Type, example(f.Doc), path+"."+name); ok {
			obj[name] = v
		}
	}
	return obj
}

// value builds the JSON value of a field of type t from its example.
func (g *gen) value(t ast.Expr, ex *string, path string) (any, bool) {
	switch t := t.(type) {
	case *ast.StarExpr:
		return g.value(t.X, ex, path)
	case *ast.ArrayType:
		item, ok := g.value(t.Elt, ex, path+"[]")
		if !ok {
			return nil, false
		}
		return []any{item}, true
	case *ast.Ident:
		if _, isStruct := g.types[t.Name]; isStruct {
			return g.object(t.Name, path), true
		}
		g.fields = append(g.fields, path[strings.Index(path, ".")+1:])
		if ex == nil {
			g.missing = append(g.missing, path)
			return nil, false
		}
		switch t.Name {
		case "string":
			return *ex, true
		case "bool":
			return *ex == "true", true
		case "int", "int32", "int64", "float32", "float64":
			n, err := strconv.ParseFloat(*ex, 64)
			if err != nil {
				g.missing = append(g.missing, path+" (example "+strconv.Quote(*ex)+" is not a number)")
				return nil, false
			}
			return n, true
		}
	}
	g.missing = append(g.missing, path+" (unsupported type)")
	return nil, false
}

// example returns the value after "example:" in a field's comment.
func example(doc *ast.CommentGroup) *string {
	if doc == nil {
		return nil
	}
	lines := strings.Split(doc.Text(), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "example:" {
			continue
		}
		for _, next := range lines[i+1:] {
			if next = strings.TrimSpace(next); next != "" {
				return &next
			}
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
