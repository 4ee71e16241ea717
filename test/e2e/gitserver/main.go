// Command git-ssh-server serves bare git repositories over SSH on loopback, as GitHub serves them
// to Flux: a client may fetch a repository only with a key registered as one of its deploy keys,
// and push only with a key that is not read-only. The deploy keys are read, on every connection,
// from the GitHub REST double (GITHUB_BASE_URL, GITHUB_TOKEN), so a key added, rotated or deleted
// through Terraform takes effect at once.
//
//	git-ssh-server -repos DIR -host-key FILE [-listen 127.0.0.1:0]
//
// Repositories are DIR/<owner>/<name>.git. It prints one JSON line on stdout once it listens:
// {"address": "127.0.0.1:PORT", "knownHosts": "[127.0.0.1]:PORT ecdsa-sha2-nistp256 ..."}.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

type deployKey struct {
	Key      string `json:"key"`
	ReadOnly bool   `json:"read_only"`
}

// keysOf lists a repository's deploy keys from the GitHub double.
func keysOf(fullName string) ([]deployKey, error) {
	base := strings.TrimSuffix(os.Getenv("GITHUB_BASE_URL"), "/")
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v3/repos/"+fullName+"/keys", nil)
	req.Header.Set("Authorization", "Bearer "+os.Getenv("GITHUB_TOKEN"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("listing deploy keys of %s: %s", fullName, resp.Status)
	}
	var keys []deployKey
	return keys, json.NewDecoder(resp.Body).Decode(&keys)
}

func authorized(key ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
}

// repositories lists owner/name of every repository served.
func repositories(root string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, "*", "*.git"))
	var out []string
	for _, m := range matches {
		rel, _ := filepath.Rel(root, m)
		out = append(out, strings.TrimSuffix(filepath.ToSlash(rel), ".git"))
	}
	return out
}

func hostKey(path string) (ssh.Signer, error) {
	if raw, err := os.ReadFile(path); err == nil {
		return ssh.ParsePrivateKey(raw)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(key)
}

var command = regexp.MustCompile(`^(git-upload-pack|git-receive-pack|git-upload-archive) '?/?([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(\.git)?/?'?$`)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	root := flag.String("repos", "", "directory of <owner>/<name>.git bare repositories")
	keyFile := flag.String("host-key", "", "host key file (created if missing)")
	flag.Parse()
	signer, err := hostKey(*keyFile)
	if err != nil {
		log.Fatal(err)
	}
	config := &ssh.ServerConfig{
		// Like GitHub: a key no repository knows is refused before any command runs.
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			for _, repo := range repositories(*root) {
				keys, err := keysOf(repo)
				if err != nil {
					return nil, err
				}
				for _, k := range keys {
					if k.Key == authorized(key) {
						return &ssh.Permissions{Extensions: map[string]string{"key": authorized(key)}}, nil
					}
				}
			}
			log.Printf("refused key %s", ssh.FingerprintSHA256(key))
			return nil, fmt.Errorf("permission denied (publickey)")
		},
	}
	config.AddHostKey(signer)
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	addr := listener.Addr().(*net.TCPAddr)
	known := fmt.Sprintf("[%s]:%d %s", addr.IP, addr.Port, authorized(signer.PublicKey()))
	line, _ := json.Marshal(map[string]string{"address": addr.String(), "knownHosts": known})
	fmt.Println(string(line))
	for {
		conn, err := listener.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(conn, config, *root)
	}
}

func serve(conn net.Conn, config *ssh.ServerConfig, root string) {
	sconn, channels, requests, err := ssh.NewServerConn(conn, config)
	if err != nil {
		return
	}
	defer sconn.Close()
	go ssh.DiscardRequests(requests)
	for newChannel := range channels {
		if newChannel.ChannelType() != "session" {
			_ = newChannel.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		channel, reqs, err := newChannel.Accept()
		if err != nil {
			continue
		}
		go session(channel, reqs, sconn.Permissions.Extensions["key"], root)
	}
}

func session(channel ssh.Channel, reqs <-chan *ssh.Request, key, root string) {
	defer channel.Close()
	exit := func(code uint32, message string) {
		if message != "" {
			fmt.Fprintln(channel.Stderr(), message)
		}
		_, _ = channel.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{code}))
	}
	for req := range reqs {
		if req.Type == "env" {
			_ = req.Reply(true, nil)
			continue
		}
		if req.Type != "exec" {
			_ = req.Reply(false, nil)
			continue
		}
		var payload struct{ Command string }
		_ = ssh.Unmarshal(req.Payload, &payload)
		_ = req.Reply(true, nil)
		m := command.FindStringSubmatch(payload.Command)
		if m == nil {
			exit(1, "ERROR: unsupported command")
			return
		}
		verb, fullName := m[1], m[2]+"/"+m[3]
		dir := filepath.Join(root, m[2], m[3]+".git")
		keys, err := keysOf(fullName)
		allowed, writable := false, false
		for _, k := range keys {
			if k.Key == key {
				allowed, writable = true, !k.ReadOnly
			}
		}
		if _, statErr := os.Stat(dir); err != nil || statErr != nil || !allowed {
			exit(1, "ERROR: Repository not found.")
			return
		}
		if verb == "git-receive-pack" && !writable {
			exit(1, "ERROR: The key you are authenticating with has been marked as read only.")
			return
		}
		cmd := exec.Command("git", strings.TrimPrefix(verb, "git-"), dir)
		cmd.Stdout, cmd.Stderr = channel, channel.Stderr()
		stdin, _ := cmd.StdinPipe()
		go func() { _, _ = io.Copy(stdin, channel); stdin.Close() }()
		code := uint32(0)
		if err := cmd.Run(); err != nil {
			code = 1
			if exitErr, ok := err.(*exec.ExitError); ok {
				code = uint32(exitErr.ExitCode())
			}
		}
		exit(code, "")
		return
	}
}
