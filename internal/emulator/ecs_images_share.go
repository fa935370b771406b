package emulator

import (
	"net/http"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ModifyImageSharePermission and DescribeImageSharePermission.

func (st *snapStore) modifyImageSharePermission(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("ImageId")
	add, remove := c.list("AddAccount"), c.list("RemoveAccount")
	if id == "" {
		return nil, errMissingParam("ImageId")
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(add) > 10 || len(remove) > 10 {
		return nil, apiErr(http.StatusForbidden, "QuotaExceed.ShareImageUser", "At most 10 accounts can be added or removed at a time.")
	}
	im, err := st.ownImage(c, id)
	if err != nil {
		return nil, err
	}
	if im.status(c.now) != "Available" {
		return nil, apiErr(http.StatusBadRequest, "IncorrectImageStatus", "The image not available.")
	}
	if im.Encrypted && len(add) > 0 {
		return nil, apiErr(http.StatusForbidden, "OperationDeined.EncryptedSnapshot", "The image contains encrypted snapshots, which do not support share.")
	}
	for _, a := range append(append([]string{}, add...), remove...) {
		if a == c.AccountID {
			return nil, apiErr(http.StatusNotFound, "InvalidAccount.Forbbiden", "The specified Account does not yourself.")
		}
		if _, err := strconv.ParseUint(a, 10, 64); err != nil {
			return nil, apiErr(http.StatusNotFound, "InvalidAccount.NotFound", `The specified parameter "AddAccount.n" or "RemoveAccount.n" does not exist.`)
		}
	}
	for _, a := range remove {
		delete(im.Shared, a)
	}
	for _, a := range add {
		if im.Shared[a].IsZero() {
			im.Shared[a] = c.now
		}
	}
	return ecs.ModifyImageSharePermissionResponse{RequestId: c.RequestID}, nil
}

func (st *snapStore) describeImageSharePermission(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("ImageId")
	if id == "" {
		return nil, errMissingParam("ImageId")
	}
	number, size := c.page(10, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	im, err := st.ownImage(c, id)
	if err != nil {
		return nil, err
	}
	accounts := sortedKeys(im.Shared)
	resp := ecs.DescribeImageSharePermissionResponse{
		RequestId: c.RequestID, ImageId: im.ID, RegionId: im.RegionID,
		TotalCount: len(accounts), PageNumber: number, PageSize: size,
	}
	resp.ShareGroups.ShareGroup = []ecs.ShareGroup{}
	resp.Accounts.Account = []ecs.Account{}
	for _, a := range pageOf(accounts, number, size) {
		resp.Accounts.Account = append(resp.Accounts.Account, ecs.Account{AliyunId: a, SharedTime: isoTimeSec(im.Shared[a])})
	}
	return resp, nil
}
