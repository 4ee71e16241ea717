package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"golang.org/x/crypto/ssh"
)

// tls_private_key, as hashicorp/tls generates it: every output known only after apply.
func tlsProvider() *providerServer {
	outputs := []string{"private_key_pem", "private_key_openssh", "private_key_pem_pkcs8", "public_key_pem", "public_key_openssh", "public_key_fingerprint_md5", "public_key_fingerprint_sha256"}
	schemaAttrs := []*tfprotov6.SchemaAttribute{
		attr("algorithm", tftypes.String, "r"), attr("ecdsa_curve", tftypes.String, "oc"),
		attr("rsa_bits", tftypes.Number, "oc"), attr("id", tftypes.String, "c"),
	}
	for _, o := range outputs {
		flags := "c"
		if strings.HasPrefix(o, "private") {
			flags = "cs"
		}
		schemaAttrs = append(schemaAttrs, attr(o, tftypes.String, flags))
	}
	s := schemaOf(nil, schemaAttrs...)
	key := &resource{
		schema: s,
		plan: func(_ context.Context, prior, proposed, _ tftypes.Value) (tftypes.Value, []*tftypes.AttributePath, error) {
			p := fields(proposed)
			if p["ecdsa_curve"].IsNull() {
				p["ecdsa_curve"] = tftypes.NewValue(tftypes.String, "P224")
			}
			if p["rsa_bits"].IsNull() {
				p["rsa_bits"] = tftypes.NewValue(tftypes.Number, 2048)
			}
			var replace []*tftypes.AttributePath
			if !prior.IsNull() {
				for _, name := range []string{"algorithm", "ecdsa_curve", "rsa_bits"} {
					if !p[name].Equal(fields(prior)[name]) {
						replace = append(replace, tftypes.NewAttributePath().WithAttributeName(name))
					}
				}
			}
			if prior.IsNull() || len(replace) > 0 {
				for _, o := range append(outputs, "id") {
					p[o] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
				}
			}
			return tftypes.NewValue(proposed.Type(), p), replace, nil
		},
		apply: func(_ context.Context, _, planned tftypes.Value) (tftypes.Value, error) {
			if planned.IsNull() {
				return planned, nil
			}
			p := fields(planned)
			priv, err := generate(str(p["algorithm"]), str(p["ecdsa_curve"]))
			if err != nil {
				return planned, err
			}
			values, err := encodeKey(priv)
			if err != nil {
				return planned, err
			}
			for name, v := range values {
				p[name] = tftypes.NewValue(tftypes.String, v)
			}
			return tftypes.NewValue(planned.Type(), p), nil
		},
		read: func(_ context.Context, current tftypes.Value) (tftypes.Value, error) { return current, nil },
	}
	return &providerServer{address: "hashicorp/tls", schema: schemaOf(nil), configure: func(context.Context, tftypes.Value) error { return nil },
		resources: map[string]*resource{"tls_private_key": key}, dataSources: map[string]*dataSource{}}
}

func generate(algorithm, curve string) (crypto.Signer, error) {
	switch algorithm {
	case "ECDSA":
		curves := map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}
		c, ok := curves[curve]
		if !ok {
			return nil, fmt.Errorf("invalid ecdsa_curve %q", curve)
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	case "ED25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "RSA":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("invalid algorithm %q", algorithm)
}

func encodeKey(priv crypto.Signer) (map[string]string, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	openssh, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	sshPub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	legacy := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		der, _ := x509.MarshalECPrivateKey(k)
		legacy = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	case *rsa.PrivateKey:
		legacy = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	}
	idSum := sha1.Sum(pub)
	return map[string]string{
		"id":                            hex.EncodeToString(idSum[:]),
		"private_key_pem":               string(legacy),
		"private_key_pem_pkcs8":         string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"private_key_openssh":           string(pem.EncodeToMemory(openssh)),
		"public_key_pem":                string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		"public_key_openssh":            string(ssh.MarshalAuthorizedKey(sshPub)),
		"public_key_fingerprint_md5":    ssh.FingerprintLegacyMD5(sshPub),
		"public_key_fingerprint_sha256": ssh.FingerprintSHA256(sshPub),
	}, nil
}

