package cloud

import (
	"context"
	"encoding/json"
	"fmt"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// EBS (Elastic Block Storage) API, version 2021-07-30. The pinned v1 SDK has
// no typed client for it and no official typed module is served here, so its
// actions go through the v1 SDK's common request, which signs like any RPC
// call. Parameter names and nesting are the reference's
// (internal/emulator/apidefs_ebs.go lists them with their sources).
const ebsVersion = "2021-07-30"

// ebsHost is the regional EBS endpoint: the EBS DescribeRegions reference
// gives RegionEndpoint "ebs.cn-hangzhou.aliyuncs.com" for cn-hangzhou.
func ebsHost(region string) string { return "ebs." + region + ".aliyuncs.com" }

// DoEBS sends an EBS action in region with params (top-level wire names,
// JSON documents already encoded) and decodes the JSON answer into out
// (nil: ignored). Throttling, 5xx and network errors are retried with the
// client's backoff; with a ClientToken in params a busy token is retried as
// for ECS creates (tokenRetryable).
func (c *Client) DoEBS(ctx context.Context, region, action string, params map[string]string, out any) error {
	cl, err := c.ECS(region) // an SDK client with the credentials and transport; the domain is set per request
	if err != nil {
		return err
	}
	retry := Retryable
	if params["ClientToken"] != "" {
		retry = tokenRetryable
	}
	err = c.Backoff.Retry(ctx, action, retry, func() error {
		req := requests.NewCommonRequest()
		req.Method = "POST"
		req.Product = "ebs"
		req.Version = ebsVersion
		req.ApiName = action
		req.Scheme, req.Domain = "https", ebsHost(region)
		if c.ebsEP != nil {
			req.Scheme, req.Domain = c.ebsEP.Scheme, c.ebsEP.Host
		}
		req.QueryParams["RegionId"] = region
		for k, v := range params {
			req.QueryParams[k] = v
		}
		resp, err := cl.ProcessCommonRequest(req)
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.GetHttpContentBytes(), out); err != nil {
			// Garbled on the way, as the typed SDK calls classify it: the
			// same code makes it transient (Retryable).
			return sdkerrors.NewClientError(sdkerrors.JsonUnmarshalErrorCode, fmt.Sprintf("decoding the %s answer", action), err)
		}
		return nil
	})
	return c.serviceError("EBS", err, action, region)
}

// jsonParam encodes a JSON-document parameter (Schedule, RetainRule...).
func jsonParam(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
