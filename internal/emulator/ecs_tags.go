package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Tags: TagResources, UntagResources, ListTagResources over every
// ResourceType registered with e.registerTagType (instance and disk here;
// the snapshot and image features add theirs).

const (
	maxTagsPerResource = 20
	maxTagResourceIDs  = 50
)

// setupCoreTagTypes registers the core resource types.
func (e *ecsService) setupCoreTagTypes() {
	e.registerTagType("instance", tagType{
		get: func(c *rpcCall, id string) (map[string]string, bool) {
			inst, ok := c.region().instances[id]
			if !ok {
				return nil, false
			}
			return inst.Tags, true
		},
		list: func(c *rpcCall) []string { return sortedKeys(c.region().instances) },
	})
	e.registerTagType("disk", tagType{
		get: func(c *rpcCall, id string) (map[string]string, bool) {
			d, ok := c.region().disks[id]
			if !ok {
				return nil, false
			}
			return d.Tags, true
		},
		list: func(c *rpcCall) []string { return sortedKeys(c.region().disks) },
	})
}

// storeTagType is the tagType of a resource the snapStore keeps by id across
// accounts and regions: all returns the store, find looks one up for the
// caller, scope names a resource's account, region, id and tags.
func storeTagType[T any](all func(c *rpcCall) map[string]T, find func(c *rpcCall, id string) (T, error),
	scope func(T) (account, region, id string, tags map[string]string)) tagType {
	return tagType{
		get: func(c *rpcCall, id string) (map[string]string, bool) {
			v, err := find(c, id)
			if err != nil {
				return nil, false
			}
			_, _, _, tags := scope(v)
			return tags, true
		},
		list: func(c *rpcCall) []string {
			var ids []string
			for _, v := range all(c) {
				if account, region, id, _ := scope(v); account == c.AccountID && region == c.Region {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			return ids
		},
	}
}

func (c *rpcCall) tagTypeOf() (tagType, error) {
	rt := c.str("ResourceType")
	if rt == "" {
		return tagType{}, errMissingParam("ResourceType")
	}
	tt, ok := c.e.tagTypes[strings.ToLower(rt)]
	if !ok {
		return tagType{}, apiErr(http.StatusBadRequest, "InvalidResourceType.NotFound",
			fmt.Sprintf("The specified ResourceType %q is not supported.", rt))
	}
	return tt, nil
}

// tagTargets resolves ResourceId.N to their live tag maps.
func (c *rpcCall) tagTargets(tt tagType) ([]map[string]string, error) {
	ids := c.list("ResourceId")
	if len(ids) == 0 {
		return nil, errMissingParam("ResourceId.1")
	}
	if len(ids) > maxTagResourceIDs {
		return nil, apiErr(http.StatusBadRequest, "InvalidResourceId.ExceedLimit", "At most 50 ResourceId may be given.")
	}
	out := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		m, ok := tt.get(c, id)
		if !ok {
			return nil, notFound("InvalidResourceId.NotFound", fmt.Sprintf("The specified resource %q does not exist.", id))
		}
		out = append(out, m)
	}
	return out, nil
}

func validTagKey(k string) error {
	if k == "" || len(k) > 128 {
		return apiErr(http.StatusBadRequest, "InvalidTagKey.Malformed", "The tag key must be 1 to 128 characters long.")
	}
	lk := strings.ToLower(k)
	if strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:") || strings.Contains(k, "http://") || strings.Contains(k, "https://") {
		return apiErr(http.StatusBadRequest, "InvalidTagKey.Malformed", "The tag key cannot start with aliyun or acs: or contain http:// or https://.")
	}
	return nil
}

func (e *ecsService) tagResources(c *rpcCall) (any, error) {
	tt, err := c.tagTypeOf()
	if err != nil {
		return nil, err
	}
	tags := c.tags()
	if len(tags) == 0 {
		return nil, errMissingParam("Tag.1.Key")
	}
	for _, t := range tags {
		if err := validTagKey(t.Key); err != nil {
			return nil, err
		}
		if len(t.Value) > 128 || strings.HasPrefix(strings.ToLower(t.Value), "acs:") {
			return nil, apiErr(http.StatusBadRequest, "InvalidTagValue.Malformed", "The tag value must be at most 128 characters and cannot start with acs:.")
		}
	}
	targets, err := c.tagTargets(tt)
	if err != nil {
		return nil, err
	}
	// Check every target before changing any, so a failed call has no effect.
	for _, m := range targets {
		n := len(m)
		for _, t := range tags {
			if _, ok := m[t.Key]; !ok {
				n++
			}
		}
		if n > maxTagsPerResource {
			return nil, apiErr(http.StatusBadRequest, "InvalidTagCount", "A resource can have at most 20 tags.")
		}
	}
	for _, m := range targets {
		for _, t := range tags {
			m[t.Key] = t.Value
		}
	}
	return ecs.TagResourcesResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) untagResources(c *rpcCall) (any, error) {
	tt, err := c.tagTypeOf()
	if err != nil {
		return nil, err
	}
	keys, all := c.list("TagKey"), c.bool("All")
	if err := c.err(); err != nil {
		return nil, err
	}
	targets, err := c.tagTargets(tt)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 && !all {
		return nil, errMissingParam("TagKey.1")
	}
	for _, m := range targets {
		if len(keys) == 0 {
			clear(m)
		}
		for _, k := range keys {
			delete(m, k)
		}
	}
	return ecs.UntagResourcesResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) listTagResources(c *rpcCall) (any, error) {
	tt, err := c.tagTypeOf()
	if err != nil {
		return nil, err
	}
	ids, filter := c.list("ResourceId"), c.tags()
	p := c.pager(50, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 && len(filter) == 0 {
		return nil, errMissingParam("ResourceId.1")
	}
	if len(ids) == 0 {
		ids = tt.list(c)
	}
	rt := strings.ToLower(c.str("ResourceType"))
	var rows []ecs.TagResource
	for _, id := range ids {
		m, ok := tt.get(c, id)
		if !ok || !matchTags(m, filter) {
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, ecs.TagResource{ResourceId: id, ResourceType: rt, TagKey: k, TagValue: m[k]})
		}
	}
	// ListTagResources pages by token only.
	p.token = true
	start, end, next := p.window(len(rows))
	resp := ecs.ListTagResourcesResponse{RequestId: c.RequestID, NextToken: next}
	resp.TagResources.TagResource = append([]ecs.TagResource{}, rows[start:end]...)
	return resp, nil
}

// apiTags renders a tag set as the API's Tag list, sorted by key.
func apiTags(m map[string]string) []ecs.Tag {
	out := make([]ecs.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, ecs.Tag{Key: k, Value: m[k], TagKey: k, TagValue: m[k]})
	}
	return out
}

// tagsMatch reports whether m carries every wanted tag (an empty value
// matches any value of the key).
func tagsMatch(m map[string]string, want []tag) bool {
	for _, t := range want {
		v, ok := m[t.Key]
		if !ok || t.Value != "" && v != t.Value {
			return false
		}
	}
	return true
}
