package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/xml"
	"io"
	"net/http"
)

// deleteObject deletes an object or, with versionId, one version of it
// (missing keys are not an error, as in OSS).
func (o *ossService) deleteObject(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	deleted, marker, err := o.deleteOne(b, req.key, req.q.Get("versionId"))
	if err != nil {
		return err
	}
	if deleted != nil {
		setVersionHeader(req.w.Header(), deleted)
		if marker {
			req.w.Header().Set("x-oss-delete-marker", "true")
		}
	}
	req.ok(http.StatusNoContent)
	return nil
}

// deleteObjects deletes keys (or versions) in order; a key the retention
// policy protects ends the request with its error, keys before it stay
// deleted (the service's per-key answer is not verified offline).
func (o *ossService) deleteObjects(req *ossReq) *ossErr {
	b, berr := o.bucketFor(req)
	if berr != nil {
		return berr
	}
	want, merr := contentMD5(req.r)
	if merr != nil {
		return merr
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, 2<<20))
	if err != nil {
		return errInternal(err)
	}
	if want != nil {
		if sum := md5.Sum(body); !bytes.Equal(sum[:], want) {
			return errDigestMismatch()
		}
	}
	var del struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key       *string `xml:"Key"`
			VersionID string  `xml:"VersionId"`
		} `xml:"Object"`
	}
	body, restore, ok := unescapeControlRefs(body)
	if !ok || xml.Unmarshal(body, &del) != nil {
		return errMalformedXML(ecDeleteMalformedXML)
	}
	if len(del.Objects) == 0 {
		return errMalformedXML(ecDeleteNoObject)
	}
	if len(del.Objects) > 1000 {
		return errInvalidArgument("", "Too many objects to delete (max 1000).")
	}
	keys := make([]string, len(del.Objects))
	for i, ob := range del.Objects {
		// The EC pages name these causes (Key absent, Key empty) but not
		// the Code; MalformedXML is what the body is.
		switch {
		case ob.Key == nil:
			return errMalformedXML(ecDeleteMissingKey)
		case *ob.Key == "":
			return errMalformedXML(ecDeleteEmptyKey)
		}
		keys[i] = restore(*ob.Key)
	}
	type deleted struct {
		Key                   string `xml:"Key"`
		VersionID             string `xml:"VersionId,omitempty"`
		DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
	}
	res := struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}{}
	if req.q.Get("encoding-type") == "url" {
		res.EncodingType = "url"
	}
	for i, k := range keys {
		id := del.Objects[i].VersionID
		obj, marker, err := o.deleteOne(b, k, id)
		if err != nil {
			return err
		}
		d := deleted{Key: encodeKey(req.q, k), VersionID: id}
		if obj != nil && marker {
			d.DeleteMarker, d.DeleteMarkerVersionID = true, obj.versionID
		}
		if !del.Quiet {
			res.Deleted = append(res.Deleted, d)
		}
	}
	req.writeXML(res)
	return nil
}
