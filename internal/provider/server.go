package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/alidr/terraform-provider-alidr/internal/numbertext"
)

// NewServer returns the protocol 6 server factory main serves and the
// acceptance tests drive: the framework server with reads re-encoded so a
// refresh of unchanged objects is a no-op on Terraform 1.10/1.11 too.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return numbertext.Wrap(providerserver.NewProtocol6(New(version)())())
	}
}
