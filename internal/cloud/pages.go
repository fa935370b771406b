package cloud

import "context"

// PageSize is the page size used for Describe* calls (the ECS maximum).
const PageSize = 100

// AllPages calls fetch with page numbers 1, 2, ... until it has seen total
// items or a page comes back short.
func AllPages(ctx context.Context, fetch func(page int) (got, total int, err error)) error {
	seen := 0
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		got, total, err := fetch(page)
		if err != nil {
			return err
		}
		seen += got
		if got == 0 || got < PageSize || seen >= total {
			return nil
		}
	}
}
