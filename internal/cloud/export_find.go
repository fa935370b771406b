package cloud

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ExportImage has no ClientToken: when its answer is lost (the connection
// broke after the request left) or the process died after sending it, the
// task may exist. It is found by what identifies it: DescribeTasks
// (TaskAction=ExportImage, ResourceIds.1 = the image), then
// DescribeTaskAttribute for the bucket and the objects the task names
// (PREFIX_m-xxx_t-xxx.EXT in the ExportImage reference). Whether the real
// service lists an export task's image as its ResourceId, and names its
// objects while the task still runs, has not been checked against an
// account: a task naming no object is taken on its ResourceId alone.

// ExportTaskFilter says which export tasks FindExportTask may return.
type ExportTaskFilter struct {
	ImageID, Bucket, Prefix string
	// Since, when set, skips tasks created before it (ECS reports creation
	// times to the minute, so the bound is rounded down).
	Since time.Time
}

// FindExportTask returns the newest export task matching f that is waiting,
// running, or finished with its first object still in the bucket; "" when
// there is none.
func (c *Client) FindExportTask(ctx context.Context, region string, f ExportTaskFilter) (string, error) {
	var tasks []ecs.Task
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeTasksRequest()
		req.TaskAction = "ExportImage"
		req.ResourceIds = &[]string{f.ImageID}
		if !f.Since.IsZero() {
			req.StartTime = f.Since.UTC().Truncate(time.Minute).Format("2006-01-02T15:04:05Z")
		}
		req.PageNumber, req.PageSize = requestsInt(page), requestsInt(100)
		resp := ecs.CreateDescribeTasksResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		tasks = append(tasks, resp.TaskSet.Task...)
		return len(resp.TaskSet.Task), resp.TotalCount, nil
	})
	if err != nil {
		return "", err
	}
	for _, t := range tasks { // newest first
		if t.TaskAction != "ExportImage" || (t.ResourceId != "" && t.ResourceId != f.ImageID) {
			continue
		}
		ok, err := c.exportTaskMatches(ctx, region, t.TaskId, f)
		if err != nil {
			return "", err
		}
		if ok {
			return t.TaskId, nil
		}
	}
	return "", nil
}

// exportTaskMatches reads one task: still going, or finished with its
// objects in place, and writing into f's bucket under f's prefix.
func (c *Client) exportTaskMatches(ctx context.Context, region, taskID string, f ExportTaskFilter) (bool, error) {
	req := ecs.CreateDescribeTaskAttributeRequest()
	req.TaskId = taskID
	resp := ecs.CreateDescribeTaskAttributeResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		if isMissing(err, KindTask) {
			return false, nil
		}
		return false, err
	}
	switch resp.TaskStatus {
	case "Waiting", "Processing", "Finished":
	default:
		return false, nil
	}
	objects := exportedObjects(resp.OperationProgressSet.OperationProgress)
	for _, o := range objects {
		if (o.Bucket != "" && o.Bucket != f.Bucket) || !strings.HasPrefix(o.Key, exportKeyStart(f.Prefix)) || !strings.Contains(o.Key, f.ImageID) {
			return false, nil
		}
	}
	if resp.TaskStatus != "Finished" {
		return true, nil
	}
	if len(objects) == 0 {
		return false, nil
	}
	// A finished export whose objects were deleted since is not this one.
	_, err := c.HeadExportObject(ctx, region, f.Bucket, objects[0].Key)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return false, nil
	}
	return err == nil, err
}

// exportKeyStart is how the objects of an export with prefix begin.
func exportKeyStart(prefix string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "_"
}
