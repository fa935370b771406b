package ramactions

import (
	"fmt"
	"slices"
	"strings"
)

// Markdown is the docs page of a resource or data source type: the RAM
// actions each operation calls and their resources. make docs writes it to
// templates/guides (cmd/ramdocs), tfplugindocs renders it into docs/guides.
func Markdown(typ string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `---
page_title: "RAM actions of %[1]s - alidr"
subcategory: "RAM permissions"
description: |-
  The RAM actions each operation of %[1]s calls, for least-privilege policies.
---

# RAM actions of %[1]s

The RAM actions each operation of `+"`%[1]s`"+` calls and the resources (ARN patterns) they are
authorised on. `+"`data.alidr_ram_policy`"+` builds policies from the same table
(`+"`internal/ramactions`"+`); this page is generated from it.

Every plan also calls `+"`ecs:DescribeRegions`"+` (the provider checks its region). With
`+"`assume_role`"+`, the base credentials need `+"`sts:AssumeRole`"+` on the role (`+"`acs:ram:*:{account}:role/{name}`"+`),
and the role needs the actions below.
`, typ)
	if duties := dutiesOf(typ); len(duties) > 0 {
		fmt.Fprintf(&b, "\nIncluded in the `%s` duty of `alidr_ram_policy`.\n", strings.Join(duties, "`, `"))
	}
	b.WriteString("\n| Operation | Action | Resource |\n|---|---|---|\n")
	for _, op := range Ops {
		actions := ActionsFor(typ, op)
		if len(actions) == 0 && !hasRow(typ, op) {
			continue
		}
		if len(actions) == 0 {
			fmt.Fprintf(&b, "| %s | none | |\n", op)
		}
		for _, a := range actions {
			note := ""
			if why, ok := Conditional[a]; ok {
				note = " (only when " + why + ")"
			}
			if why, ok := Tolerated[typ][a]; ok && op != Update && op != Delete {
				note += " (if refused: " + why + ")"
			}
			fmt.Fprintf(&b, "| %s | `%s`%s | `%s` |\n", op, a, note, strings.Join(Resources[a], "`, `"))
		}
	}
	b.WriteString(`
Plan-time checks count as read. ` + "`{region}`" + ` is each region the resource works in (copies and
restores included), ` + "`{account}`" + ` the account, ` + "`{bucket}`" + ` the OSS bucket.

## What is checked, and what is not

The acceptance tests run each duty (create, update, import, refresh, destroy) against the bundled
emulator with a RAM user holding only the generated policy, which the emulator enforces as RAM does;
they take out each action in turn and expect the operation needing it to fail naming that action, and
they compare every action in the emulator's request log with this table. Not verifiable offline:
which of several resources the real service checks for an action touching more than one
(` + "`RunInstances`, `CreateImage`" + `), permissions the services check on a caller's behalf in other products
(KMS keys of encrypted copies, the VPC of a vSwitch), and the service roles ECS uses to write exports
to OSS. The actions marked "only when" are not reached by those tests.
`)
	return b.String()
}

func dutiesOf(typ string) []string {
	var out []string
	for _, d := range DutyNames {
		if slices.Contains(Duties[d], typ) {
			out = append(out, d)
		}
	}
	return out
}

func hasRow(typ string, op Op) bool {
	return slices.ContainsFunc(Table, func(r Row) bool { return r.Type == typ && r.Op == op })
}

// GuideFile is the template file name of a type's page under templates/guides.
func GuideFile(typ string) string {
	return "ram-" + strings.TrimPrefix(typ, "alidr_") + ".md.tmpl"
}
