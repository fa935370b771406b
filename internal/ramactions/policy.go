package ramactions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Document is a RAM policy in the RAM policy language (Version "1").
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Document. Condition is left out: the
// generated policies scope by action and resource only.
type Statement struct {
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// JSON is the document as the RAM console and CreatePolicy take it.
func (d Document) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}

// Selection says what a policy is for.
type Selection struct {
	Duties        []string // among DutyNames
	ResourceTypes []string // resource and data source type names of Table
	Regions       []string // region ids; empty means every region ("*")
	AccountID     string   // "" means "*"
	Buckets       []string // OSS buckets; empty means every bucket ("*")
	DenyDelete    bool     // add the explicit deny of DenyDeleteActions
}

// Types resolves the selection's duties and resource types (Provider
// included) or says which name is unknown.
func (s Selection) Types() ([]string, error) {
	types := []string{Provider}
	for _, d := range s.Duties {
		ts, ok := Duties[d]
		if !ok {
			return nil, fmt.Errorf("unknown duty %q: use one of %s", d, strings.Join(DutyNames, ", "))
		}
		types = append(types, ts...)
	}
	known := KnownTypes()
	for _, t := range s.ResourceTypes {
		if !slices.Contains(known, t) {
			return nil, fmt.Errorf("unknown resource type %q: use one of %s", t, strings.Join(known, ", "))
		}
		types = append(types, t)
	}
	slices.Sort(types)
	return slices.Compact(types), nil
}

// KnownTypes lists the resource and data source types of Table.
func KnownTypes() []string {
	var out []string
	for _, r := range Table {
		if r.Type != Provider && !slices.Contains(out, r.Type) {
			out = append(out, r.Type)
		}
	}
	slices.Sort(out)
	return out
}

// ActionsOf returns the sorted actions of every operation of types.
func ActionsOf(types []string) []string {
	var out []string
	for _, r := range Table {
		if slices.Contains(types, r.Type) {
			out = append(out, r.Actions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ActionsFor returns the sorted actions one operation of a type calls.
func ActionsFor(typ string, op Op) []string {
	var out []string
	for _, r := range Table {
		if r.Type == typ && r.Op == op {
			out = append(out, r.Actions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Build returns the policy of a selection and its allowed actions.
func Build(s Selection) (Document, []string, error) {
	types, err := s.Types()
	if err != nil {
		return Document{}, nil, err
	}
	actions := ActionsOf(types)
	doc := Allow(actions, s)
	if s.DenyDelete {
		doc.Statement = append(doc.Statement, Statement{Effect: "Deny", Action: slices.Clone(DenyDeleteActions), Resource: []string{"*"}})
	}
	return doc, actions, nil
}

// Allow returns a policy allowing actions on their resources (Resources),
// one statement per distinct resource list.
func Allow(actions []string, s Selection) Document {
	doc := Document{Version: "1"}
	index := map[string]int{}
	for _, a := range actions {
		res := expand(Resources[a], s)
		key := strings.Join(res, "\n")
		i, ok := index[key]
		if !ok {
			i = len(doc.Statement)
			index[key] = i
			doc.Statement = append(doc.Statement, Statement{Effect: "Allow", Resource: res})
		}
		doc.Statement[i].Action = append(doc.Statement[i].Action, a)
	}
	return doc
}

// expand fills the placeholders of ARN patterns for every region and
// bucket, sorted and without repeats.
func expand(patterns []string, s Selection) []string {
	regions, buckets := orAny(s.Regions), orAny(s.Buckets)
	account := s.AccountID
	if account == "" {
		account = "*"
	}
	var out []string
	for _, p := range patterns {
		p = strings.ReplaceAll(p, "{account}", account)
		for _, r := range regions {
			for _, b := range buckets {
				out = append(out, strings.NewReplacer("{region}", r, "{bucket}", b).Replace(p))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func orAny(vals []string) []string {
	if len(vals) == 0 {
		return []string{"*"}
	}
	return vals
}
