package provider_test

import (
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// randData is n pseudo-random bytes, the same for the same seed.
func randData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// wrappedRE matches the fragments in order in a CLI error, whatever the
// CLI's line wrapping did to their spaces.
func wrappedRE(fragments ...string) *regexp.Regexp {
	var parts []string
	for _, f := range fragments {
		var words []string
		for _, w := range strings.Fields(f) {
			words = append(words, regexp.QuoteMeta(w))
		}
		parts = append(parts, strings.Join(words, `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// state checks attribute attr of the resource at addr.
func state(addr, attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v)
}

// wrapped matches a message regexp whose spaces may have become line
// breaks in Terraform's output.
func wrapped(re string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(re, " ", `\s+`))
}
