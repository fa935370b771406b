package provider_test

import (
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
)

// objectKeys lists the keys under prefix in bucket (cn-beijing) through the
// OSS SDK.
func objectKeys(t *testing.T, env *acctest.Env, bucket, prefix string) ([]string, error) {
	b, err := env.Client(t).Bucket("cn-beijing", bucket)
	if err != nil {
		return nil, err
	}
	res, err := b.ListObjects(oss.Prefix(prefix), oss.MaxKeys(1000))
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	return keys, nil
}
