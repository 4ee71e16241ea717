package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// github talks to GitHub's REST API (in tests, the double in test/e2e/support/github-api.ts)
// the way integrations/github does: token and owner from the provider block or GITHUB_TOKEN and
// GITHUB_OWNER, and an Enterprise-style base URL (`<base>/api/v3/`) when one is given.
type github struct {
	token, owner, api string
	// As the real provider's RetryTransport: 500, 502, 503 and 504 are tried again, writes too,
	// max_retries times (default 3), retry_delay_ms apart (default 1000).
	maxRetries int
	retryDelay time.Duration
	retryable  map[int]bool
}

func (g *github) configure(_ context.Context, config tftypes.Value) error {
	c := fields(config)
	g.token, g.owner = str(c["token"]), str(c["owner"])
	if g.token == "" {
		g.token = os.Getenv("GITHUB_TOKEN")
	}
	if g.owner == "" {
		g.owner = os.Getenv("GITHUB_OWNER")
	}
	base := str(c["base_url"])
	if base == "" {
		base = os.Getenv("GITHUB_BASE_URL")
	}
	if base == "" {
		return fmt.Errorf("this stand-in serves only a GitHub API double: set base_url or GITHUB_BASE_URL")
	}
	g.api = strings.TrimSuffix(base, "/") + "/api/v3"
	g.maxRetries, g.retryDelay = intOr(c["max_retries"], 3), time.Duration(intOr(c["retry_delay_ms"], 1000))*time.Millisecond
	g.retryable = map[int]bool{500: true, 502: true, 503: true, 504: true}
	if codes := c["retryable_errors"]; !codes.IsNull() {
		var list []tftypes.Value
		_ = codes.As(&list)
		g.retryable = map[int]bool{}
		for _, code := range list {
			g.retryable[intOr(code, 0)] = true
		}
	}
	// Like the real provider, a token GitHub refuses is not an error here: the first call fails.
	return nil
}

func (g *github) call(ctx context.Context, method, path string, body interface{}, out interface{}) (int, error) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	var code int
	var answer []byte
	for try := 0; try <= g.maxRetries; try++ {
		var err error
		if code, answer, err = g.send(ctx, method, path, raw); err != nil {
			return 0, err
		}
		if !g.retryable[code] {
			break
		}
		time.Sleep(g.retryDelay)
	}
	if code >= 400 {
		// go-github's ErrorResponse.Error(): the errors listed as %+v of its Error struct.
		var msg struct {
			Message string
			Errors  []struct{ Resource, Field, Code, Message string }
		}
		_ = json.Unmarshal(answer, &msg)
		list := []string{}
		for _, e := range msg.Errors {
			list = append(list, fmt.Sprintf("{Resource:%s Field:%s Code:%s Message:%s}", e.Resource, e.Field, e.Code, e.Message))
		}
		return code, fmt.Errorf("%s %s: %d %s [%s]", method, g.api+path, code, msg.Message, strings.Join(list, " "))
	}
	if out != nil && len(answer) > 0 {
		return code, json.Unmarshal(answer, out)
	}
	return code, nil
}

func (g *github) send(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.api+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, nil
}

func githubProvider() *providerServer {
	g := &github{}
	return &providerServer{
		address: "integrations/github",
		schema: schemaOf(nil,
			attr("token", tftypes.String, "o"), attr("owner", tftypes.String, "o"), attr("organization", tftypes.String, "o"),
			attr("base_url", tftypes.String, "o"), attr("insecure", tftypes.Bool, "o"),
			attr("write_delay_ms", tftypes.Number, "o"), attr("read_delay_ms", tftypes.Number, "o"),
			attr("parallel_requests", tftypes.Bool, "o"), attr("max_retries", tftypes.Number, "o"),
			attr("retry_delay_ms", tftypes.Number, "o"), attr("retryable_errors", tftypes.List{ElementType: tftypes.Number}, "o"),
		),
		configure:   g.configure,
		resources:   map[string]*resource{"github_repository_deploy_key": deployKeyResource(g)},
		dataSources: map[string]*dataSource{"github_repository_deploy_keys": deployKeysDataSource(g)},
	}
}

type deployKey struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	Title    string `json:"title"`
	ReadOnly bool   `json:"read_only"`
}

func deployKeyResource(g *github) *resource {
	s := schemaOf(nil,
		attr("id", tftypes.String, "c"), attr("etag", tftypes.String, "c"),
		attr("key", tftypes.String, "r"), attr("read_only", tftypes.Bool, "o"),
		attr("repository", tftypes.String, "r"), attr("title", tftypes.String, "r"),
	)
	keyPath := func(v tftypes.Value) (string, error) {
		f := fields(v)
		repo, id, ok := strings.Cut(str(f["id"]), ":")
		if !ok {
			return "", fmt.Errorf("deploy key id %q is not <repository>:<key id>", str(f["id"]))
		}
		return fmt.Sprintf("/repos/%s/%s/keys/%s", g.owner, repo, id), nil
	}
	return &resource{
		schema: s,
		plan: func(_ context.Context, prior, proposed, _ tftypes.Value) (tftypes.Value, []*tftypes.AttributePath, error) {
			p := fields(proposed)
			if p["read_only"].IsNull() {
				p["read_only"] = tftypes.NewValue(tftypes.Bool, true)
			}
			var replace []*tftypes.AttributePath
			if prior.IsNull() {
				p["id"], p["etag"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			} else {
				before := fields(prior)
				// suppressDeployKeyDiff: GitHub keeps the key without its comment and newline.
				if p["key"].IsKnown() && str(before["key"]) == firstTwoFields(str(p["key"])) {
					p["key"] = before["key"]
				}
				for _, name := range []string{"key", "read_only", "repository", "title"} {
					if !p[name].Equal(before[name]) {
						replace = append(replace, tftypes.NewAttributePath().WithAttributeName(name))
					}
				}
				if len(replace) > 0 {
					p["id"], p["etag"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
				} else {
					p["id"], p["etag"] = before["id"], before["etag"]
				}
			}
			return tftypes.NewValue(proposed.Type(), p), replace, nil
		},
		apply: func(ctx context.Context, prior, planned tftypes.Value) (tftypes.Value, error) {
			if planned.IsNull() {
				path, err := keyPath(prior)
				if err == nil {
					var code int
					if code, err = g.call(ctx, http.MethodDelete, path, nil, nil); code == http.StatusNotFound {
						err = nil
					}
				}
				return planned, err
			}
			p := fields(planned)
			var created deployKey
			body := map[string]interface{}{"title": str(p["title"]), "key": str(p["key"]), "read_only": boolOr(p["read_only"], true)}
			if _, err := g.call(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/%s/keys", g.owner, str(p["repository"])), body, &created); err != nil {
				return planned, err
			}
			p["id"] = tftypes.NewValue(tftypes.String, str(p["repository"])+":"+strconv.FormatInt(created.ID, 10))
			p["etag"] = tftypes.NewValue(tftypes.String, fmt.Sprintf("W/\"%d\"", created.ID))
			return tftypes.NewValue(planned.Type(), p), nil
		},
		// As resourceGithubRepositoryDeployKeyRead: everything from GitHub, the key as GitHub keeps it.
		read: func(ctx context.Context, current tftypes.Value) (tftypes.Value, error) {
			path, err := keyPath(current)
			if err != nil {
				return current, err
			}
			var key deployKey
			code, err := g.call(ctx, http.MethodGet, path, nil, &key)
			if code == http.StatusNotFound {
				return tftypes.NewValue(current.Type(), nil), nil
			}
			if err != nil {
				return current, err
			}
			c := fields(current)
			repo, _, _ := strings.Cut(str(c["id"]), ":")
			c["read_only"], c["title"] = tftypes.NewValue(tftypes.Bool, key.ReadOnly), tftypes.NewValue(tftypes.String, key.Title)
			c["key"], c["repository"] = tftypes.NewValue(tftypes.String, key.Key), tftypes.NewValue(tftypes.String, repo)
			if c["etag"].IsNull() {
				c["etag"] = tftypes.NewValue(tftypes.String, fmt.Sprintf("W/\"%d\"", key.ID))
			}
			return tftypes.NewValue(current.Type(), c), nil
		},
		// ImportStatePassthroughContext: the id alone (<repository>:<key id>); the read fills in the rest.
		imprt: func(_ context.Context, id string) (tftypes.Value, error) {
			attrs := map[string]tftypes.Value{}
			for name, t := range s.ValueType().(tftypes.Object).AttributeTypes {
				attrs[name] = tftypes.NewValue(t, nil)
			}
			attrs["id"] = tftypes.NewValue(tftypes.String, id)
			return tftypes.NewValue(s.ValueType(), attrs), nil
		},
	}
}

func firstTwoFields(key string) string {
	f := strings.Fields(key)
	if len(f) < 2 {
		return strings.TrimSpace(key)
	}
	return f[0] + " " + f[1]
}

// github_repository_deploy_keys: lists a repository's deploy keys; any error GitHub answers
// (401 for a wrong token, 404 for a repository the token cannot administer) fails the read.
func deployKeysDataSource(g *github) *dataSource {
	keyType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.Number, "key": tftypes.String, "title": tftypes.String, "verified": tftypes.Bool}}
	s := schemaOf(nil, attr("id", tftypes.String, "oc"), attr("repository", tftypes.String, "r"), attr("keys", tftypes.List{ElementType: keyType}, "c"))
	return &dataSource{
		schema: s,
		read: func(ctx context.Context, config tftypes.Value) (tftypes.Value, error) {
			c := fields(config)
			repository := str(c["repository"])
			var keys []deployKey
			if _, err := g.call(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/%s/keys?per_page=100", g.owner, repository), nil, &keys); err != nil {
				return config, err
			}
			list := []tftypes.Value{}
			for _, k := range keys {
				list = append(list, tftypes.NewValue(keyType, map[string]tftypes.Value{
					"id": tftypes.NewValue(tftypes.Number, k.ID), "key": tftypes.NewValue(tftypes.String, k.Key),
					"title": tftypes.NewValue(tftypes.String, k.Title), "verified": tftypes.NewValue(tftypes.Bool, true),
				}))
			}
			c["id"] = tftypes.NewValue(tftypes.String, g.owner+"/"+repository)
			c["keys"] = tftypes.NewValue(tftypes.List{ElementType: keyType}, list)
			return tftypes.NewValue(s.ValueType(), c), nil
		},
	}
}
