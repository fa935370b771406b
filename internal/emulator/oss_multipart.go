package emulator

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// minPartSize is the smallest part the service accepts, except the last.
const minPartSize = 100 << 10

type ossUpload struct {
	id           string
	bucket, key  string
	contentType  string
	meta         http.Header
	storageClass string
	sequential   bool // ?uploads&sequential: the object gets a Content-MD5
	initiated    time.Time
	parts        map[int]*ossPart // guarded by ossService.mu
}

type ossPart struct {
	number   int
	etag     string // upper-case hex MD5, unquoted
	md5      []byte
	crc      uint64
	size     int64
	modified time.Time
	data     *blob
}

func newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func (o *ossService) initiateMultipart(req *ossReq) *ossErr {
	// x-oss-forbid-overwrite: true refuses to start an upload over an
	// existing object (the header's description on InitiateMultipartUpload
	// in the OSS Go SDK v2, api_op_object.go; no EC found for this cause).
	if _, err := o.checkNewObject(req, ""); err != nil {
		return err
	}
	ct, meta, sc := requestMeta(req.r, req.key)
	u := &ossUpload{id: newUploadID(), bucket: req.bucket, key: req.key, contentType: ct, meta: meta,
		storageClass: sc, sequential: req.q.Has("sequential"), initiated: o.s.now(), parts: map[int]*ossPart{}}
	o.mu.Lock()
	o.uploads[u.id] = u
	o.mu.Unlock()
	req.writeXML(struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket   string   `xml:"Bucket"`
		Key      string   `xml:"Key"`
		UploadID string   `xml:"UploadId"`
	}{Bucket: req.bucket, Key: encodeKey(req.q, req.key), UploadID: u.id})
	return nil
}

// upload finds the request's upload and checks it belongs to bucket/key.
func (o *ossService) upload(req *ossReq) (*ossUpload, *ossErr) {
	if _, err := o.bucketFor(req); err != nil {
		return nil, err
	}
	o.mu.RLock()
	u := o.uploads[req.q.Get("uploadId")]
	o.mu.RUnlock()
	if u == nil || u.bucket != req.bucket || u.key != req.key {
		return nil, errNoSuchUpload()
	}
	return u, nil
}

func (o *ossService) uploadPart(req *ossReq, isCopy bool) *ossErr {
	n, perr := strconv.Atoi(req.q.Get("partNumber"))
	if perr != nil || n < 1 || n > 10000 {
		return errInvalidArgument(ecInvalidPartNumber, "Part number must be an integer between 1 and 10000, inclusive.")
	}
	u, err := o.upload(req)
	if err != nil {
		return err
	}
	var w written
	if isCopy {
		w, err = o.copyPartData(req)
	} else {
		w, err = o.receiveBody(req)
	}
	if err != nil {
		return err
	}
	p := &ossPart{number: n, etag: strings.ToUpper(hex.EncodeToString(w.md5)), md5: w.md5, crc: w.crc,
		size: w.seg.size, modified: o.s.now(), data: newBlob([]segment{w.seg})}
	o.mu.Lock()
	if o.uploads[u.id] != u { // completed or aborted meanwhile
		o.mu.Unlock()
		p.data.release()
		return errNoSuchUpload()
	}
	old := u.parts[n]
	u.parts[n] = p
	o.mu.Unlock()
	if old != nil {
		old.data.release()
	}
	h := req.w.Header()
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(p.crc, 10))
	if isCopy {
		req.writeXML(struct {
			XMLName      xml.Name `xml:"CopyPartResult"`
			LastModified string   `xml:"LastModified"`
			ETag         string   `xml:"ETag"`
		}{LastModified: p.modified.UTC().Format(ossTimeFormat), ETag: `"` + p.etag + `"`})
		return nil
	}
	h.Set("ETag", `"`+p.etag+`"`)
	h.Set("Content-Length", "0")
	req.ok(http.StatusOK)
	return nil
}

// copyPartData streams a range of the copy source (x-oss-copy-source-range,
// "bytes=a-b", else the whole object) into a new part file.
func (o *ossService) copyPartData(req *ossReq) (written, *ossErr) {
	src, err := o.copySourceObject(req)
	if err != nil {
		return written{}, err
	}
	defer src.data.release()
	start, n := int64(0), src.size
	if v := req.r.Header.Get("x-oss-copy-source-range"); v != "" {
		rng, ok, _ := parseRange(v, src.size, true)
		if !ok {
			return written{}, &ossErr{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "", "The x-oss-copy-source-range is invalid."}
		}
		start, n = rng.start, rng.end-rng.start+1
	}
	rc := src.data.rangeReader(start, n)
	defer rc.Close()
	w, werr := o.store.write(rc)
	if werr != nil {
		return written{}, errInternal(werr)
	}
	return w, nil
}

func (o *ossService) completeMultipart(req *ossReq) *ossErr {
	u, err := o.upload(req)
	if err != nil {
		return err
	}
	conflict, err := overwriteConflict(req, ecCompleteFileExists)
	if err != nil {
		return err
	}
	completeAll := strings.EqualFold(req.r.Header.Get("x-oss-complete-all"), "yes")
	var body struct {
		Parts []struct {
			PartNumber int    `xml:"PartNumber"`
			ETag       string `xml:"ETag"`
		} `xml:"Part"`
	}
	if !completeAll {
		raw, rerr := io.ReadAll(io.LimitReader(req.r.Body, 4<<20))
		if rerr != nil {
			return errInternal(rerr)
		}
		if xerr := xml.Unmarshal(raw, &body); xerr != nil || len(body.Parts) == 0 {
			return errMalformedXML("")
		}
	}

	o.mu.Lock()
	if o.uploads[u.id] != u {
		o.mu.Unlock()
		return errNoSuchUpload()
	}
	var chosen []*ossPart
	if completeAll {
		for _, p := range u.parts {
			chosen = append(chosen, p)
		}
		sort.Slice(chosen, func(i, j int) bool { return chosen[i].number < chosen[j].number })
		if len(chosen) == 0 {
			o.mu.Unlock()
			return errInvalidArgument("", "The upload has no parts.")
		}
	} else {
		prev := 0
		for _, bp := range body.Parts {
			if bp.PartNumber <= prev {
				o.mu.Unlock()
				return &ossErr{http.StatusBadRequest, "InvalidPartOrder", ecInvalidPartOrder, "The list of parts was not in ascending order. Parts list must be specified in order by part number."}
			}
			prev = bp.PartNumber
			p := u.parts[bp.PartNumber]
			if p == nil || !strings.EqualFold(strings.Trim(bp.ETag, `"`), p.etag) {
				o.mu.Unlock()
				return &ossErr{http.StatusBadRequest, "InvalidPart", "", "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag."}
			}
			chosen = append(chosen, p)
		}
	}
	for i, p := range chosen[:len(chosen)-1] {
		if p.size < minPartSize {
			o.mu.Unlock()
			return &ossErr{http.StatusBadRequest, "EntityTooSmall", ecEntityTooSmall, "Your proposed upload is smaller than the minimum allowed size (part " + strconv.Itoa(chosen[i].number) + ")."}
		}
	}
	// x-oss-forbid-overwrite holds for CompleteMultipartUpload too (EC page
	// 0042-00000214); the upload stays, so the caller can complete it later.
	if conflict != nil && o.existsLocked(u.bucket, u.key) {
		o.mu.Unlock()
		return conflict
	}
	delete(o.uploads, u.id)
	o.mu.Unlock()

	// The object takes over the chosen part files; the CRC is combined from
	// the parts' CRCs.
	used := map[*ossPart]bool{}
	segs := make([]segment, 0, len(chosen))
	var crc uint64
	var size int64
	for _, p := range chosen {
		used[p] = true
		segs = append(segs, p.data.segs...)
		crc = crc64Combine(crc, p.crc, p.size)
		size += p.size
	}
	for _, p := range u.parts {
		if !used[p] {
			p.data.release()
		}
	}
	obj := &ossObject{key: u.key, size: size, crc: crc, contentType: u.contentType, meta: u.meta,
		objType: "Multipart", storageClass: u.storageClass, data: newBlob(segs), etag: multipartETag(chosen)}
	// A sequential upload's object carries the MD5 of its whole content, as
	// Content-MD5 on GET and HEAD (aliyun-oss-go-sdk upload_test.go,
	// TestUploadFileWithSequential, checks it against the service).
	if u.sequential {
		md := md5.New()
		if err := obj.data.copyRange(md, 0, size); err != nil {
			obj.data.release()
			return errInternal(err)
		}
		obj.md5 = md.Sum(nil)
	}
	if err := o.commitObject(u.bucket, req.auth.acc.ID, obj, conflict); err != nil {
		return err
	}
	req.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(crc, 10))
	req.writeXML(struct {
		XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
		EncodingType string   `xml:"EncodingType,omitempty"`
		Location     string   `xml:"Location"`
		Bucket       string   `xml:"Bucket"`
		Key          string   `xml:"Key"`
		ETag         string   `xml:"ETag"`
	}{Location: "http://" + req.r.Host + "/" + u.bucket + "/" + u.key, Bucket: u.bucket,
		Key: encodeKey(req.q, u.key), ETag: obj.quotedETag()})
	return nil
}

// multipartETag is OSS's ETag of a completed multipart object: the
// upper-case hex MD5 of the concatenated upper-case hex MD5 strings of the
// parts (their ETags), then "-" and the number of parts. S3 hashes the
// binary MD5s instead; OSS's formula is the documented one (checked facts,
// ARCHITECTURE.md).
func multipartETag(parts []*ossPart) string {
	md := md5.New()
	for _, p := range parts {
		_, _ = io.WriteString(md, p.etag)
	}
	return strings.ToUpper(hex.EncodeToString(md.Sum(nil))) + "-" + strconv.Itoa(len(parts))
}

func (o *ossService) abortMultipart(req *ossReq) *ossErr {
	u, err := o.upload(req)
	if err != nil {
		return err
	}
	o.mu.Lock()
	if o.uploads[u.id] != u {
		o.mu.Unlock()
		return errNoSuchUpload()
	}
	delete(o.uploads, u.id)
	parts := u.parts
	o.mu.Unlock()
	for _, p := range parts {
		p.data.release()
	}
	req.ok(http.StatusNoContent)
	return nil
}

func (o *ossService) listParts(req *ossReq) *ossErr {
	u, err := o.upload(req)
	if err != nil {
		return err
	}
	maxParts, err := maxParam(req.q, "max-parts", 1000, 1000)
	if err != nil {
		return err
	}
	marker, _ := strconv.Atoi(req.q.Get("part-number-marker"))
	type xmlPart struct {
		PartNumber   int    `xml:"PartNumber"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		HashCrc64    uint64 `xml:"HashCrc64ecma"`
		Size         int64  `xml:"Size"`
	}
	o.mu.RLock()
	var parts []*ossPart
	for _, p := range u.parts {
		if p.number > marker {
			parts = append(parts, p)
		}
	}
	o.mu.RUnlock()
	sort.Slice(parts, func(i, j int) bool { return parts[i].number < parts[j].number })
	res := struct {
		XMLName              xml.Name  `xml:"ListPartsResult"`
		Bucket               string    `xml:"Bucket"`
		Key                  string    `xml:"Key"`
		UploadID             string    `xml:"UploadId"`
		PartNumberMarker     int       `xml:"PartNumberMarker"`
		NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
		MaxParts             int       `xml:"MaxParts"`
		IsTruncated          bool      `xml:"IsTruncated"`
		Parts                []xmlPart `xml:"Part"`
	}{Bucket: u.bucket, Key: encodeKey(req.q, u.key), UploadID: u.id, PartNumberMarker: marker, MaxParts: maxParts}
	if len(parts) > maxParts {
		parts = parts[:maxParts]
		res.IsTruncated = true
	}
	for _, p := range parts {
		res.Parts = append(res.Parts, xmlPart{PartNumber: p.number, LastModified: p.modified.UTC().Format(ossTimeFormat),
			ETag: `"` + p.etag + `"`, HashCrc64: p.crc, Size: p.size})
		res.NextPartNumberMarker = p.number
	}
	req.writeXML(res)
	return nil
}

func (o *ossService) listMultipartUploads(req *ossReq) *ossErr {
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	q := req.q
	maxUploads, err := maxParam(q, "max-uploads", 1000, 1000)
	if err != nil {
		return err
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	o.mu.RLock()
	var ups []*ossUpload
	for _, u := range o.uploads {
		if u.bucket == req.bucket && strings.HasPrefix(u.key, prefix) &&
			(u.key > keyMarker || (idMarker != "" && u.key == keyMarker && u.id > idMarker)) {
			ups = append(ups, u)
		}
	}
	o.mu.RUnlock()
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].key != ups[j].key {
			return ups[i].key < ups[j].key
		}
		return ups[i].id < ups[j].id // the order upload-id-marker pages by
	})
	type xmlUpload struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	}
	res := struct {
		XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
		Bucket             string      `xml:"Bucket"`
		EncodingType       string      `xml:"EncodingType,omitempty"`
		KeyMarker          string      `xml:"KeyMarker"`
		UploadIDMarker     string      `xml:"UploadIdMarker"`
		NextKeyMarker      string      `xml:"NextKeyMarker"`
		NextUploadIDMarker string      `xml:"NextUploadIdMarker"`
		Delimiter          string      `xml:"Delimiter"`
		Prefix             string      `xml:"Prefix"`
		MaxUploads         int         `xml:"MaxUploads"`
		IsTruncated        bool        `xml:"IsTruncated"`
		Uploads            []xmlUpload `xml:"Upload"`
		CommonPrefixes     []string    `xml:"CommonPrefixes>Prefix"`
	}{Bucket: req.bucket, KeyMarker: encodeKey(q, keyMarker), UploadIDMarker: idMarker,
		Delimiter: encodeKey(q, delimiter), Prefix: encodeKey(q, prefix), MaxUploads: maxUploads}
	if q.Get("encoding-type") == "url" {
		res.EncodingType = "url"
	}
	count := 0
	for _, u := range ups {
		if delimiter != "" {
			if j := strings.Index(u.key[len(prefix):], delimiter); j >= 0 {
				cp := u.key[:len(prefix)+j+len(delimiter)]
				if n := len(res.CommonPrefixes); n > 0 && res.CommonPrefixes[n-1] == encodeKey(q, cp) {
					continue
				}
				if count == maxUploads {
					res.IsTruncated = true
					break
				}
				count++
				res.CommonPrefixes = append(res.CommonPrefixes, encodeKey(q, cp))
				res.NextKeyMarker, res.NextUploadIDMarker = encodeKey(q, cp), ""
				continue
			}
		}
		if count == maxUploads {
			res.IsTruncated = true
			break
		}
		count++
		res.Uploads = append(res.Uploads, xmlUpload{Key: encodeKey(q, u.key), UploadID: u.id,
			Initiated: u.initiated.UTC().Format(ossTimeFormat)})
		res.NextKeyMarker, res.NextUploadIDMarker = encodeKey(q, u.key), u.id
	}
	req.writeXML(res)
	return nil
}
