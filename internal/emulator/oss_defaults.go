package emulator

import "encoding/xml"

// Reads of bucket features the emulator does not model answer what the
// service answers for a bucket that never had them set, instead of 501.
// Writes of them stay NotImplemented (classifyOSS).

// The ACLs OSS gives new buckets and objects: a bucket is "private"; an
// object is "default", meaning it inherits its bucket's ACL (ACLType in
// aliyun-oss-go-sdk const.go: "default ... only applicable for object").
const (
	bucketACL = "private"
	objectACL = "default"
)

// accessControlPolicy is the GetBucketAcl / GetObjectAcl answer
// (GetBucketACLResult in aliyun-oss-go-sdk type.go).
type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   xmlOwner `xml:"Owner"`
	Grant   string   `xml:"AccessControlList>Grant"`
}

func (o *ossService) getBucketACL(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	req.writeXML(accessControlPolicy{Owner: owner(b.owner), Grant: bucketACL})
	return nil
}

func (o *ossService) getObjectACL(req *ossReq) *ossErr {
	obj, err := o.lookupObject(req, req.bucket, req.key)
	if err != nil {
		return err
	}
	obj.data.release()
	// lookupObject checked that the caller owns the bucket.
	req.writeXML(accessControlPolicy{Owner: owner(req.auth.acc.ID), Grant: objectACL})
	return nil
}

// listLiveChannels answers GET /?live: the emulator has no LiveChannels, so
// the list is empty (ListLiveChannelResult in aliyun-oss-go-sdk type.go;
// max-keys defaults to 100 and may not exceed 1000, as there).
func (o *ossService) listLiveChannels(req *ossReq) *ossErr {
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	maxKeys, err := maxParam(req.q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	req.writeXML(struct {
		XMLName     xml.Name `xml:"ListLiveChannelResult"`
		Prefix      string   `xml:"Prefix"`
		Marker      string   `xml:"Marker"`
		MaxKeys     int      `xml:"MaxKeys"`
		IsTruncated bool     `xml:"IsTruncated"`
		NextMarker  string   `xml:"NextMarker"`
	}{Prefix: req.q.Get("prefix"), Marker: req.q.Get("marker"), MaxKeys: maxKeys})
	return nil
}
