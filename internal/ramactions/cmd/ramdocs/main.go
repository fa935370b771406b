// Command ramdocs writes the RAM actions page of every resource and data
// source type (ramactions.Markdown) into a templates directory; make docs
// runs it before tfplugindocs.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alidr/terraform-provider-alidr/internal/ramactions"
)

func main() {
	out := flag.String("out", "templates/guides", "directory of the generated templates")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil { //nolint:gosec // templates are committed files, readable like the rest of the tree
		fmt.Fprintln(os.Stderr, "ramdocs:", err)
		os.Exit(1)
	}
	for _, typ := range ramactions.KnownTypes() {
		path := filepath.Join(*out, ramactions.GuideFile(typ))
		if err := os.WriteFile(path, []byte(ramactions.Markdown(typ)), 0o644); err != nil { //nolint:gosec // as above
			fmt.Fprintln(os.Stderr, "ramdocs:", err)
			os.Exit(1)
		}
	}
}
