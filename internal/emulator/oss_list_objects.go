package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"sort"
	"strings"
)

type xmlContents struct {
	Key          string    `xml:"Key"`
	LastModified string    `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	Type         string    `xml:"Type"`
	Size         int64     `xml:"Size"`
	StorageClass string    `xml:"StorageClass"`
	Owner        *xmlOwner `xml:"Owner,omitempty"`
}

// listing is one page of a prefix/delimiter walk over sorted names.
type listing struct {
	objects   []*ossObject
	prefixes  []string
	truncated bool
	next      string // last key or common prefix returned, when truncated
}

// walk pages through sorted keys after marker, folding keys that share a
// prefix up to the delimiter into one common prefix.
func walk(keys []string, get func(string) *ossObject, prefix, delimiter, marker string, max int) listing {
	var l listing
	i := sort.SearchStrings(keys, marker)
	if i < len(keys) && keys[i] == marker {
		i++
	}
	count := 0
	for ; i < len(keys); i++ {
		k := keys[i]
		if !strings.HasPrefix(k, prefix) {
			if k > prefix {
				break
			}
			continue
		}
		entry, isPrefix := k, false
		if delimiter != "" {
			if j := strings.Index(k[len(prefix):], delimiter); j >= 0 {
				entry, isPrefix = k[:len(prefix)+j+len(delimiter)], true
				// A marker equal to a common prefix (a NextMarker) skips the
				// whole group; a marker inside a group still yields it.
				if entry == marker || (len(l.prefixes) > 0 && l.prefixes[len(l.prefixes)-1] == entry) {
					continue
				}
			}
		}
		if count == max {
			l.truncated = true
			break
		}
		count++
		l.next = entry
		if isPrefix {
			l.prefixes = append(l.prefixes, entry)
		} else {
			l.objects = append(l.objects, get(k))
		}
	}
	if !l.truncated {
		l.next = ""
	}
	return l
}

func (o *ossService) listObjects(req *ossReq, v2 bool) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	q := req.q
	maxKeys, err := maxParam(q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	marker := q.Get("marker")
	if v2 {
		marker = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			raw, derr := base64.RawURLEncoding.DecodeString(tok)
			if derr != nil {
				return errInvalidArgument("", "continuation-token is invalid.")
			}
			marker = string(raw)
		}
	}
	o.mu.RLock()
	keys := make([]string, 0, len(b.objects))
	objs := make(map[string]*ossObject, len(b.objects))
	for k, obj := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
			objs[k] = obj
		}
	}
	o.mu.RUnlock()
	sort.Strings(keys)
	l := walk(keys, func(k string) *ossObject { return objs[k] }, prefix, delimiter, marker, maxKeys)

	withOwner := !v2 || q.Get("fetch-owner") == "true"
	contents := make([]xmlContents, 0, len(l.objects))
	for _, obj := range l.objects {
		c := xmlContents{Key: encodeKey(q, obj.key), LastModified: obj.modified.UTC().Format(ossTimeFormat),
			ETag: obj.quotedETag(), Type: obj.objType, Size: obj.size, StorageClass: obj.storageClass}
		if withOwner {
			ow := owner(b.owner)
			c.Owner = &ow
		}
		contents = append(contents, c)
	}
	prefixes := make([]string, len(l.prefixes))
	for i, p := range l.prefixes {
		prefixes[i] = encodeKey(q, p)
	}
	encoding := ""
	if q.Get("encoding-type") == "url" {
		encoding = "url"
	}
	if v2 {
		res := struct {
			XMLName               xml.Name      `xml:"ListBucketResult"`
			Name                  string        `xml:"Name"`
			Prefix                string        `xml:"Prefix"`
			StartAfter            string        `xml:"StartAfter,omitempty"`
			ContinuationToken     string        `xml:"ContinuationToken,omitempty"`
			MaxKeys               int           `xml:"MaxKeys"`
			Delimiter             string        `xml:"Delimiter"`
			EncodingType          string        `xml:"EncodingType,omitempty"`
			IsTruncated           bool          `xml:"IsTruncated"`
			NextContinuationToken string        `xml:"NextContinuationToken,omitempty"`
			KeyCount              int           `xml:"KeyCount"`
			Contents              []xmlContents `xml:"Contents"`
			CommonPrefixes        []string      `xml:"CommonPrefixes>Prefix"`
		}{Name: b.name, Prefix: encodeKey(q, prefix), StartAfter: encodeKey(q, q.Get("start-after")),
			ContinuationToken: q.Get("continuation-token"), MaxKeys: maxKeys, Delimiter: encodeKey(q, delimiter),
			EncodingType: encoding, IsTruncated: l.truncated, KeyCount: len(contents) + len(prefixes),
			Contents: contents, CommonPrefixes: prefixes}
		if l.truncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(l.next))
		}
		req.writeXML(res)
		return nil
	}
	req.writeXML(struct {
		XMLName        xml.Name      `xml:"ListBucketResult"`
		Name           string        `xml:"Name"`
		Prefix         string        `xml:"Prefix"`
		Marker         string        `xml:"Marker"`
		MaxKeys        int           `xml:"MaxKeys"`
		Delimiter      string        `xml:"Delimiter"`
		EncodingType   string        `xml:"EncodingType,omitempty"`
		IsTruncated    bool          `xml:"IsTruncated"`
		NextMarker     string        `xml:"NextMarker,omitempty"`
		Contents       []xmlContents `xml:"Contents"`
		CommonPrefixes []string      `xml:"CommonPrefixes>Prefix"`
	}{Name: b.name, Prefix: encodeKey(q, prefix), Marker: encodeKey(q, marker), MaxKeys: maxKeys,
		Delimiter: encodeKey(q, delimiter), EncodingType: encoding, IsTruncated: l.truncated,
		NextMarker: encodeKey(q, l.next), Contents: contents, CommonPrefixes: prefixes})
	return nil
}
