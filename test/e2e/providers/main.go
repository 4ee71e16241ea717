// Command terraform-provider-stand-in stands in for the three Terraform providers the stacks use
// (hashicorp/kubernetes, integrations/github, hashicorp/tls) where the real ones cannot be
// installed. One binary serves all three; the name it is started under picks which.
//
// It is a test double for the providers' apply, driven by real OpenTofu through the plugin
// protocol: the configuration is parsed, planned and checked by OpenTofu itself (templates,
// planned-versus-applied consistency), and objects go to a real kube-apiserver by server-side
// apply. Only what the real providers do and refuse that our stacks can reach is reproduced.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

func main() {
	name := filepath.Base(os.Args[0])
	var provider *providerServer
	switch {
	case strings.HasPrefix(name, "terraform-provider-kubernetes"):
		provider = kubernetesProvider()
	case strings.HasPrefix(name, "terraform-provider-github"):
		provider = githubProvider()
	case strings.HasPrefix(name, "terraform-provider-tls"):
		provider = tlsProvider()
	default:
		fmt.Fprintf(os.Stderr, "%s: start me as terraform-provider-{kubernetes,github,tls}_vX.Y.Z\n", name)
		os.Exit(2)
	}
	if err := tf6server.Serve(provider.address, func() tfprotov6.ProviderServer { return provider }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
