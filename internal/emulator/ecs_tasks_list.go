package emulator

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func init() {
	registerECSFeature(func(e *ecsService) {
		e.register("DescribeTasks", func(c *rpcCall) (any, error) { return snapsOf(e).describeTasks(c) })
	})
}

// describeTasks lists the region's tasks, newest first (DescribeTasks,
// ecs-20140526 v7.7.0 DescribeTasksRequest): filtered by TaskAction, TaskIds
// (comma-separated, up to 100), TaskStatus (only Finished, Processing and
// Failed filter; other values are ignored), ResourceIds.N (the image of an
// export) and the creation time range StartTime..EndTime (UTC,
// yyyy-MM-ddTHH:mm:ssZ); PageSize 1-100, default 10.
func (st *snapStore) describeTasks(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	number, size := c.page(10, 100)
	ids := map[string]bool{}
	if v := c.str("TaskIds"); v != "" {
		for _, id := range strings.Split(v, ",") {
			ids[strings.TrimSpace(id)] = true
		}
		if len(ids) > 100 {
			c.fail(errInvalidParam("TaskIds", v))
		}
	}
	resources := map[string]bool{}
	for _, id := range c.list("ResourceIds") {
		resources[id] = true
	}
	if len(resources) > 100 {
		c.fail(errInvalidParam("ResourceIds", "more than 100"))
	}
	from, to := c.taskTime("StartTime"), c.taskTime("EndTime")
	if err := c.err(); err != nil {
		return nil, err
	}
	status := c.str("TaskStatus")
	switch status {
	case "Finished", "Processing", "Failed":
	default:
		status = ""
	}
	var found []*ecsTask
	for _, t := range st.tasks {
		switch {
		case t.AccountID != c.AccountID || t.RegionID != c.Region:
		case c.str("TaskAction") != "" && t.Action != c.str("TaskAction"):
		case len(ids) > 0 && !ids[t.ID]:
		case len(resources) > 0 && !resources[t.ImageID]:
		case status != "" && t.status(c.now) != status:
		case !from.IsZero() && t.Created.Before(from), !to.IsZero() && t.Created.After(to):
		default:
			found = append(found, t)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if !found[i].Created.Equal(found[j].Created) {
			return found[i].Created.After(found[j].Created)
		}
		return found[i].ID > found[j].ID
	})
	all := make([]ecs.Task, 0, len(found))
	for _, t := range found {
		s := t.status(c.now)
		task := ecs.Task{TaskId: t.ID, TaskAction: t.Action, TaskStatus: s, ResourceId: t.ImageID,
			CreationTime: isoTime(t.Created), SupportCancel: strconv.FormatBool(t.Action == "ExportImage" && t.cancellable(c.now))}
		if s == "Finished" || s == "Failed" {
			task.FinishedTime = isoTime(t.state.end)
		}
		all = append(all, task)
	}
	resp := ecs.DescribeTasksResponse{RequestId: c.RequestID, RegionId: c.Region, TotalCount: len(all), PageNumber: number, PageSize: size}
	resp.TaskSet.Task = pageOf(all, number, size)
	return resp, nil
}

// taskTime parses a DescribeTasks time bound; zero when absent.
func (c *rpcCall) taskTime(name string) time.Time {
	v := c.str(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02T15:04:05Z", v)
	if err != nil {
		if t, err = time.Parse("2006-01-02T15:04Z", v); err != nil {
			c.fail(errInvalidParam(name, v))
		}
	}
	return t
}
