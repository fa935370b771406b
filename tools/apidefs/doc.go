package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Rules read from the models' doc comments. Only these fixed phrasings are
// machine-readable; anything else (prose limits, conditional values) stays
// out of the table:
//
//	This parameter is required.            -> Required, when it stands alone
//	                                          on its line (inside prose it
//	                                          can be conditional, as
//	                                          CreateDisk Size)
//	Valid values:                          -> Enum, when every bullet that
//	  - value[: text]                         follows is one bare token and
//	  - value (default)[: text]               the comment has no other
//	                                          "Valid value" phrase
//	                                          and the comment's example is
//	                                          one of them (a model whose
//	                                          comment belongs to another
//	                                          field fails this)
//	Separate the values with commas        -> EnumList (comma-separated)
//	Valid values: A to B                   -> integer range (integers only)
//	Valid values of N: 1 to K              -> list index at most K
const requiredPhrase = "This parameter is required."

var (
	rangePattern = regexp.MustCompile(`Valid values: (-?\d+) to (-?\d+)(?:[.,;]|$)`)
	maxNPattern  = regexp.MustCompile(`Valid values of N: 1 (?:to|and) (\d+)\.`)
	enumToken    = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)
)

// modelDocs holds the doc comment of every field of every struct type in
// the model package, by type and field name.
type modelDocs map[string]map[string]string

// parseModelDocs reads the *_request_model.go files of dir.
func parseModelDocs(dir string) (modelDocs, error) {
	fset := token.NewFileSet()
	filter := func(fi os.FileInfo) bool { return strings.HasSuffix(fi.Name(), "_request_model.go") }
	pkgs, err := parser.ParseDir(fset, dir, filter, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := modelDocs{}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				gen, ok := decl.(*ast.GenDecl)
				if !ok || gen.Tok != token.TYPE {
					continue
				}
				for _, spec := range gen.Specs {
					ts := spec.(*ast.TypeSpec)
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					fields := map[string]string{}
					for _, fld := range st.Fields.List {
						for _, n := range fld.Names {
							fields[n.Name] = fld.Doc.Text()
							if fld.Tag != nil && strings.HasSuffix(n.Name, "Shrink") {
								tag, _ := strconv.Unquote(fld.Tag.Value)
								wire, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
								fields[shrinkKey+wire] = "yes"
							}
						}
					}
					docs[ts.Name.Name] = fields
				}
			}
		}
	}
	return docs, nil
}

// shrinkKey marks, in a *ShrinkRequest type's entry, the wire names its
// client sends as one JSON string.
const shrinkKey = "\x00shrink:"

func (d modelDocs) field(typeName, field string) string { return d[typeName][field] }

// shrunkFields are the wire names a *ShrinkRequest model sends as JSON.
func (d modelDocs) shrunkFields(shrinkType string) map[string]bool {
	out := map[string]bool{}
	for k := range d[shrinkType] {
		if wire, ok := strings.CutPrefix(k, shrinkKey); ok {
			out[wire] = true
		}
	}
	return out
}

func isRequired(doc string) bool {
	for _, l := range strings.Split(doc, "\n") {
		if strings.TrimSpace(l) == requiredPhrase {
			return true
		}
	}
	return false
}

// maxIndex is the documented largest N of a list: from the list field's
// doc, or else the one value all its element struct's fields agree on.
func maxIndex(doc string, docs modelDocs, elem reflect.Type) (int, bool) {
	if n, ok := statedMaxN(doc); ok {
		return n, true
	}
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() != reflect.Struct {
		return 0, false
	}
	found := 0
	for i := 0; i < elem.NumField(); i++ {
		f := elem.Field(i)
		if f.Type.Kind() == reflect.Slice {
			continue // its N is its own list's
		}
		n, ok := statedMaxN(docs.field(elem.Name(), f.Name))
		if !ok {
			continue
		}
		if found != 0 && n != found {
			return 0, false
		}
		found = n
	}
	return found, found != 0
}

func statedMaxN(doc string) (int, bool) {
	ms := maxNPattern.FindAllStringSubmatch(doc, -1)
	if len(ms) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(ms[0][1])
	return n, err == nil
}

// intRange is a single "Valid values: A to B" statement.
func intRange(doc string) (lo, hi int64, ok bool) {
	if strings.Count(doc, "Valid value") != 1 {
		return 0, 0, false
	}
	m := rangePattern.FindStringSubmatch(doc)
	if m == nil {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseInt(m[1], 10, 64)
	hi, err2 := strconv.ParseInt(m[2], 10, 64)
	return lo, hi, err1 == nil && err2 == nil && lo <= hi
}

// enumValues are the bullets after the comment's only "Valid values:", when
// each is one bare value and the comment's example is made of them. list
// tells a comma-separated list of them.
func enumValues(doc string) (values []string, list bool) {
	values = bullets(doc)
	if values == nil {
		return nil, false
	}
	list = strings.Contains(doc, "commas")
	ex := example(doc)
	parts := []string{ex}
	if list {
		parts = strings.Split(ex, ",")
	}
	for _, p := range parts {
		if ex != "" && !slices.Contains(values, strings.TrimSpace(p)) {
			return nil, false
		}
	}
	return values, list
}

// example is the value after the comment's "example:" line.
func example(doc string) string {
	i := strings.LastIndex(doc, "example:")
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(doc[i+len("example:"):])
}

func bullets(doc string) []string {
	if strings.Count(doc, "Valid value") != 1 {
		return nil
	}
	lines := strings.Split(doc, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasSuffix(strings.TrimSpace(l), "Valid values:") {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil
	}
	var values []string
	for _, l := range lines[start:] {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		item, ok := strings.CutPrefix(l, "- ")
		if !ok {
			break
		}
		v, ok := bulletValue(item)
		if !ok {
			return nil
		}
		values = append(values, v)
	}
	if len(values) < 2 {
		return nil
	}
	return values
}

// bulletValue is the value a bullet names: "value", "value: text",
// "value (default)" or "value (default): text".
func bulletValue(item string) (string, bool) {
	item = strings.ReplaceAll(item, `\`, "")
	v, rest := item, ""
	if i := strings.IndexAny(item, " :"); i >= 0 {
		v, rest = item[:i], item[i:]
	}
	v = strings.Trim(v, "`")
	rest = strings.TrimPrefix(rest, " (default)")
	if rest != "" && !strings.HasPrefix(rest, ":") {
		return "", false
	}
	return v, enumToken.MatchString(v)
}
