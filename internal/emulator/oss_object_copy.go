package emulator

import (
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
)

// parseCopySource reads x-oss-copy-source: "/bucket/url-escaped-key".
func parseCopySource(v string) (bucket, key string, err *ossErr) {
	v, _, _ = strings.Cut(v, "?") // ?versionId=...: no versioning here
	b, k := splitOSSPath(v)
	k, uerr := url.QueryUnescape(k)
	if uerr != nil || b == "" || k == "" {
		return "", "", errInvalidArgument("", "x-oss-copy-source is invalid.")
	}
	return b, k, nil
}

// copySourceObject resolves and references the source of a copy, checking
// the x-oss-copy-source-if-* conditions.
func (o *ossService) copySourceObject(req *ossReq) (*ossObject, *ossErr) {
	sb, sk, err := parseCopySource(req.r.Header.Get("x-oss-copy-source"))
	if err != nil {
		return nil, err
	}
	src, err := o.lookupObject(req, sb, sk)
	if err != nil {
		return nil, err
	}
	if st := checkConditions(req.r.Header, "x-oss-copy-source-", src); st != 0 {
		src.data.release()
		return nil, errPreconditionFailed(st)
	}
	return src, nil
}

func (o *ossService) copyObject(req *ossReq) *ossErr {
	conflict, err := o.checkNewObject(req, ecFileAlreadyExists)
	if err != nil {
		return err
	}
	src, err := o.copySourceObject(req)
	if err != nil {
		return err
	}
	data, lerr := o.store.link(src.data)
	src.data.release()
	if lerr != nil {
		return errInternal(lerr)
	}
	obj := &ossObject{key: req.key, size: src.size, etag: src.etag, md5: src.md5, crc: src.crc,
		contentType: src.contentType, meta: src.meta, objType: src.objType, storageClass: src.storageClass, data: data}
	if strings.EqualFold(req.r.Header.Get("x-oss-metadata-directive"), "REPLACE") {
		obj.contentType, obj.meta, obj.storageClass = requestMeta(req.r, req.key)
	}
	if err := o.commitObject(req.bucket, req.auth.acc.ID, obj, conflict); err != nil {
		return err
	}
	req.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc, 10))
	req.writeXML(struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{LastModified: obj.modified.UTC().Format(ossTimeFormat), ETag: obj.quotedETag()})
	return nil
}
