package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// kube is the configured client; err is set when the provider block named no usable kubeconfig,
// and is reported, as by the real provider, only when a resource first needs the cluster.
type kube struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
	err    error
}

func (k *kube) client() (dynamic.Interface, error) {
	if k.err != nil {
		return nil, &userError{"Failed to construct REST client", "cannot create REST client: " + k.err.Error()}
	}
	return k.dyn, nil
}

func expandHome(path string) string {
	if strings.HasPrefix(path, "~/") {
		home, _ := os.UserHomeDir()
		return filepath.Join(home, path[2:])
	}
	return path
}

func (k *kube) configure(_ context.Context, config tftypes.Value) error {
	c := fields(config)
	path := str(c["config_path"])
	if path == "" {
		path = os.Getenv("KUBE_CONFIG_PATH")
	}
	if path == "" {
		k.err = fmt.Errorf("no client config")
		return nil
	}
	if _, err := os.Stat(expandHome(path)); err != nil {
		k.err = fmt.Errorf("no client config")
		return nil
	}
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: expandHome(path)}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: str(c["config_context"])}
	rest, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		k.err = err
		return nil
	}
	// QPS and burst stay at client-go's defaults (5 and 10), as in the real provider.
	if k.dyn, err = dynamic.NewForConfig(rest); err != nil {
		return err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(rest)
	if err != nil {
		return err
	}
	k.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	return nil
}

// resourceFor finds the API resource serving an object's apiVersion and kind.
func (k *kube) resourceFor(obj map[string]interface{}) (dynamic.ResourceInterface, string, error) {
	dyn, err := k.client()
	if err != nil {
		return nil, "", err
	}
	u := unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	mapping, err := k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		k.mapper.Reset()
		mapping, err = k.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, "", &userError{"Failed to determine GroupVersionResource for manifest", err.Error()}
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := u.GetNamespace()
		if ns == "" {
			ns = "default"
		}
		return dyn.Resource(mapping.Resource).Namespace(ns), ns + "/" + u.GetName(), nil
	}
	return dyn.Resource(mapping.Resource), u.GetName(), nil
}

// plainJSON re-reads client-go's object with json.Number, the way project expects numbers.
func plainJSON(obj map[string]interface{}) map[string]interface{} {
	raw, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]interface{}
	_ = dec.Decode(&out)
	return out
}

// cleaned drops what the server owns, as the provider does for an imported object.
func cleaned(obj map[string]interface{}) map[string]interface{} {
	obj = plainJSON(obj)
	delete(obj, "status")
	if md, ok := obj["metadata"].(map[string]interface{}); ok {
		for _, f := range []string{"managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink"} {
			delete(md, f)
		}
	}
	return obj
}

func kubernetesProvider() *providerServer {
	k := &kube{}
	providerSchema := schemaOf(
		[]*tfprotov6.SchemaNestedBlock{
			listBlock("exec", 1, attr("api_version", tftypes.String, "r"), attr("command", tftypes.String, "r"),
				attr("env", stringMap, "o"), attr("args", tftypes.List{ElementType: tftypes.String}, "o")),
			listBlock("experiments", 1, attr("manifest_resource", tftypes.Bool, "o")),
		},
		attr("host", tftypes.String, "o"), attr("username", tftypes.String, "o"), attr("password", tftypes.String, "os"),
		attr("insecure", tftypes.Bool, "o"), attr("tls_server_name", tftypes.String, "o"),
		attr("client_certificate", tftypes.String, "o"), attr("client_key", tftypes.String, "os"),
		attr("cluster_ca_certificate", tftypes.String, "o"), attr("config_paths", tftypes.List{ElementType: tftypes.String}, "o"),
		attr("config_path", tftypes.String, "o"), attr("config_context", tftypes.String, "o"),
		attr("config_context_auth_info", tftypes.String, "o"), attr("config_context_cluster", tftypes.String, "o"),
		attr("token", tftypes.String, "os"), attr("proxy_url", tftypes.String, "o"),
		attr("ignore_annotations", tftypes.List{ElementType: tftypes.String}, "o"), attr("ignore_labels", tftypes.List{ElementType: tftypes.String}, "o"),
	)
	return &providerServer{
		address:   "hashicorp/kubernetes",
		schema:    providerSchema,
		configure: k.configure,
		resources: map[string]*resource{
			"kubernetes_manifest":  manifestResource(k),
			"kubernetes_secret_v1": secretResource(k),
		},
		dataSources: map[string]*dataSource{},
	}
}

// ---- kubernetes_manifest: server-side apply of one object --------------------------------------

func manifestResource(k *kube) *resource {
	s := schemaOf(
		[]*tfprotov6.SchemaNestedBlock{
			{TypeName: "wait", Nesting: tfprotov6.SchemaNestedBlockNestingModeList, MaxItems: 1, Block: &tfprotov6.SchemaBlock{
				Attributes: []*tfprotov6.SchemaAttribute{attr("rollout", tftypes.Bool, "o"), attr("fields", stringMap, "o")},
				BlockTypes: []*tfprotov6.SchemaNestedBlock{listBlock("condition", 0, attr("type", tftypes.String, "o"), attr("status", tftypes.String, "o"))},
			}},
			listBlock("field_manager", 1, attr("name", tftypes.String, "o"), attr("force_conflicts", tftypes.Bool, "o")),
			listBlock("timeouts", 1, attr("create", tftypes.String, "o"), attr("update", tftypes.String, "o"), attr("delete", tftypes.String, "o")),
		},
		attr("manifest", tftypes.DynamicPseudoType, "r"),
		attr("object", tftypes.DynamicPseudoType, "oc"),
		attr("computed_fields", tftypes.List{ElementType: tftypes.String}, "o"),
		attr("wait_for", tftypes.Object{AttributeTypes: map[string]tftypes.Type{"fields": stringMap}}, "o"),
	)
	return &resource{
		schema: s,
		plan: func(ctx context.Context, prior, proposed, config tftypes.Value) (tftypes.Value, []*tftypes.AttributePath, error) {
			manifest := fields(config)["manifest"]
			if !manifest.IsFullyKnown() {
				return with(proposed, map[string]tftypes.Value{"object": tftypes.NewValue(tftypes.DynamicPseudoType, tftypes.UnknownValue)}), nil, nil
			}
			data, err := toJSON(manifest)
			if err != nil {
				return proposed, nil, err
			}
			obj, _ := data.(map[string]interface{})
			// The real provider reads the resource's type from the API server at plan time, so a
			// custom resource cannot be planned before its CRD exists.
			res, name, err := k.resourceFor(obj)
			if err != nil {
				return proposed, nil, err
			}
			if prior.IsNull() {
				if _, err := res.Get(ctx, (&unstructured.Unstructured{Object: obj}).GetName(), metav1.GetOptions{}); err == nil {
					return proposed, nil, &userError{"Cannot create resource that already exists", fmt.Sprintf("resource %q already exists", name)}
				} else if !apierrors.IsNotFound(err) {
					return proposed, nil, err
				}
			}
			object := manifest
			if !prior.IsNull() {
				filled, err := filledManifest(manifest, prior)
				if err != nil {
					return proposed, nil, err
				}
				object = keepComputedMetadata(filled, fields(prior)["manifest"], fields(prior)["object"])
			}
			return with(proposed, map[string]tftypes.Value{"object": object}), nil, nil
		},
		apply: func(ctx context.Context, prior, planned tftypes.Value) (tftypes.Value, error) {
			if planned.IsNull() {
				return planned, deleteManifest(ctx, k, identifying(prior))
			}
			p := fields(planned)
			sent := p["manifest"]
			if !prior.IsNull() {
				var err error
				if sent, err = filledManifest(sent, prior); err != nil {
					return planned, err
				}
			}
			data, err := toJSON(sent)
			if err != nil {
				return planned, err
			}
			obj := data.(map[string]interface{})
			res, _, err := k.resourceFor(obj)
			if err != nil {
				return planned, err
			}
			manager, force := "Terraform", false
			if fm := listFirst(p["field_manager"]); fm != nil {
				if n := str(fm["name"]); n != "" {
					manager = n
				}
				force = boolOr(fm["force_conflicts"], false)
			}
			u := &unstructured.Unstructured{Object: obj}
			applied, err := res.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: manager, Force: force})
			if err != nil {
				if apierrors.IsConflict(err) {
					// The real provider's words, quoting included.
					return planned, &userError{fmt.Sprintf("There was a field manager conflict when trying to apply the manifest for %q", u.GetNamespace()+"/"+u.GetName()),
						fmt.Sprintf("The API returned the following conflict: %q\n\nYou can override this conflict by setting \"force_conflicts\" to true in the \"field_manager\" block.", err.Error())}
				}
				return planned, &userError{"Failed to apply manifest", err.Error()}
			}
			if err := waitFor(ctx, res, u.GetName(), p["wait"], applyTimeout(p, prior.IsNull())); err != nil {
				if _, ok := err.(timedOut); !ok {
					return planned, &userError{"Error waiting for operation to complete", err.Error()}
				}
				// Reported, but the object is kept in state as applied.
				applied, _ = res.Get(ctx, u.GetName(), metav1.GetOptions{})
				next := with(planned, map[string]tftypes.Value{"object": project(p["object"], plainJSON(applied.Object))})
				return next, &keptState{&userError{"Operation timed out", err.Error()}}
			} else if p["wait"].IsKnown() && !p["wait"].IsNull() && listFirst(p["wait"]) != nil {
				if applied, err = res.Get(ctx, u.GetName(), metav1.GetOptions{}); err != nil {
					return planned, &userError{fmt.Sprintf("Failed to read resource %q after wait conditions", u.GetName()), err.Error()}
				}
			}
			return with(planned, map[string]tftypes.Value{"object": project(p["object"], plainJSON(applied.Object))}), nil
		},
		read: func(ctx context.Context, current tftypes.Value) (tftypes.Value, error) {
			c := fields(current)
			data, err := toJSON(identifying(current))
			if err != nil {
				return current, err
			}
			obj, _ := data.(map[string]interface{})
			res, _, err := k.resourceFor(obj)
			if err != nil {
				return current, err
			}
			live, err := res.Get(ctx, (&unstructured.Unstructured{Object: obj}).GetName(), metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return tftypes.NewValue(current.Type(), nil), nil
			}
			if err != nil {
				return current, err
			}
			shape := c["object"]
			if shape.IsNull() || !shape.IsKnown() {
				shape = c["manifest"]
			}
			// The real provider's object holds every field the server returns; what matters to the
			// next plan is what it fills in from there (prior-fill.go), so the refreshed object
			// holds that too.
			object := plainJSON(live.Object)
			if shape, err = filledWith(shape, c["manifest"], object); err != nil {
				return current, err
			}
			return with(current, map[string]tftypes.Value{"object": project(shape, object)}), nil
		},
		imprt: func(ctx context.Context, id string) (tftypes.Value, error) {
			parts := map[string]string{}
			for _, kv := range strings.Split(id, ",") {
				if k, v, ok := strings.Cut(kv, "="); ok {
					parts[k] = v
				}
			}
			if parts["apiVersion"] == "" || parts["kind"] == "" || parts["name"] == "" {
				return tftypes.Value{}, &userError{"Invalid import ID", fmt.Sprintf("%q is not apiVersion=...,kind=...,[namespace=...,]name=...", id)}
			}
			md := map[string]interface{}{"name": parts["name"]}
			if parts["namespace"] != "" {
				md["namespace"] = parts["namespace"]
			}
			obj := map[string]interface{}{"apiVersion": parts["apiVersion"], "kind": parts["kind"], "metadata": md}
			res, _, err := k.resourceFor(obj)
			if err != nil {
				return tftypes.Value{}, err
			}
			live, err := res.Get(ctx, parts["name"], metav1.GetOptions{})
			if err != nil {
				return tftypes.Value{}, &userError{"Failed to get resource to import", err.Error()}
			}
			v := fromJSON(cleaned(live.Object))
			m := fields(tftypes.NewValue(s.ValueType(), nil))
			for name, t := range s.ValueType().(tftypes.Object).AttributeTypes {
				m[name] = tftypes.NewValue(t, nil)
			}
			// Like the real provider, no configuration is recorded: the next plan fills every
			// field it does not set from the imported object.
			m["object"] = v
			return tftypes.NewValue(s.ValueType(), m), nil
		},
	}
}

// identifying is the value that names a state's object: its manifest, or after an import (which
// records no manifest) the object.
func identifying(state tftypes.Value) tftypes.Value {
	if s := fields(state); !s["manifest"].IsNull() {
		return s["manifest"]
	}
	return fields(state)["object"]
}

// filledManifest is the manifest as the real provider plans an update from prior (prior-fill.go).
func filledManifest(manifest, prior tftypes.Value) (tftypes.Value, error) {
	p := fields(prior)
	object, err := toJSON(p["object"])
	if err != nil {
		return manifest, err
	}
	return filledWith(manifest, p["manifest"], object)
}

// filledWith is v with the list items' fields filled in from prior; v itself where none is.
func filledWith(v, priorManifest tftypes.Value, prior interface{}) (tftypes.Value, error) {
	config, err := toJSON(v)
	if err != nil {
		return v, err
	}
	priorConfig, err := toJSON(priorManifest)
	if err != nil {
		return v, err
	}
	filled := fillFromPrior(config, priorConfig, prior)
	if reflect.DeepEqual(filled, config) {
		return v, nil
	}
	return fromJSON(filled), nil
}

// keepComputedMetadata plans metadata.annotations and metadata.labels as the real provider does
// with its default computed_fields: left unchanged in the manifest, they keep the values the
// cluster holds (a reconcile request annotated by the flux CLI is no drift). A changed manifest
// value is planned as written (the real provider plans it unknown; apply gives the same value).
func keepComputedMetadata(object, priorManifest, priorObject tftypes.Value) tftypes.Value {
	for _, f := range []string{"annotations", "labels"} {
		path := tftypes.NewAttributePath().WithAttributeName("metadata").WithAttributeName(f)
		now, rest1, err1 := tftypes.WalkAttributePath(object, path)
		was, rest2, err2 := tftypes.WalkAttributePath(priorManifest, path)
		live, rest3, err3 := tftypes.WalkAttributePath(priorObject, path)
		if err1 != nil || err2 != nil || err3 != nil || len(rest1.Steps())+len(rest2.Steps())+len(rest3.Steps()) > 0 {
			continue
		}
		liveValue := live.(tftypes.Value)
		if !now.(tftypes.Value).Equal(was.(tftypes.Value)) || !liveValue.Type().Equal(now.(tftypes.Value).Type()) {
			continue
		}
		if kept, err := tftypes.Transform(object, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
			if p.Equal(path) {
				return liveValue, nil
			}
			return v, nil
		}); err == nil {
			object = kept
		}
	}
	return object
}

func listFirst(v tftypes.Value) map[string]tftypes.Value {
	var l []tftypes.Value
	if !v.IsKnown() || v.IsNull() || v.As(&l) != nil || len(l) == 0 {
		return nil
	}
	return fields(l[0])
}

// deleteManifest deletes the object and waits until it is gone, finalizers included.
func deleteManifest(ctx context.Context, k *kube, manifest tftypes.Value) error {
	data, err := toJSON(manifest)
	if err != nil {
		return err
	}
	obj := data.(map[string]interface{})
	res, name, err := k.resourceFor(obj)
	if err != nil {
		return err
	}
	n := (&unstructured.Unstructured{Object: obj}).GetName()
	if err := res.Delete(ctx, n, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := res.Get(ctx, n, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("timed out waiting for %s to be deleted", name)
}

// ---- kubernetes_secret_v1 ------------------------------------------------------------------------

// typedClientManager is the field manager the real provider's typed resources write with: they
// pass none, so the API server takes it from the client's user agent, "HashiCorp/1.0 Terraform/<v>".
const typedClientManager = "HashiCorp"

var secretGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

func secretResource(k *kube) *resource {
	metadata := listBlock("metadata", 1,
		attr("name", tftypes.String, "oc"), attr("namespace", tftypes.String, "o"), attr("generate_name", tftypes.String, "o"),
		attr("labels", stringMap, "o"), attr("annotations", stringMap, "o"),
		attr("generation", tftypes.Number, "c"), attr("resource_version", tftypes.String, "c"), attr("uid", tftypes.String, "c"))
	metadata.MinItems = 1
	s := schemaOf(
		[]*tfprotov6.SchemaNestedBlock{metadata, listBlock("timeouts", 1, attr("create", tftypes.String, "o"))},
		attr("id", tftypes.String, "c"), attr("data", stringMap, "os"), attr("binary_data", stringMap, "os"),
		attr("type", tftypes.String, "oc"), attr("immutable", tftypes.Bool, "o"),
		attr("wait_for_service_account_token", tftypes.Bool, "o"),
	)
	mdType := metadata.ValueType().(tftypes.List).ElementType.(tftypes.Object)
	unknown := func(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }

	// state builds the resource's state from a live Secret, keeping the configured parts of prior.
	state := func(prior tftypes.Value, live *unstructured.Unstructured) tftypes.Value {
		p := fields(prior)
		pm := listFirst(p["metadata"])
		md := map[string]tftypes.Value{
			"name": tftypes.NewValue(tftypes.String, live.GetName()), "namespace": tftypes.NewValue(tftypes.String, live.GetNamespace()),
			"generate_name": pm["generate_name"], "labels": pm["labels"], "annotations": pm["annotations"],
			"generation":       tftypes.NewValue(tftypes.Number, live.GetGeneration()),
			"resource_version": tftypes.NewValue(tftypes.String, live.GetResourceVersion()),
			"uid":              tftypes.NewValue(tftypes.String, string(live.GetUID())),
		}
		for name, t := range mdType.AttributeTypes {
			if _, ok := md[name]; !ok || md[name].Type() == nil {
				md[name] = tftypes.NewValue(t, nil)
			}
		}
		// Labels and annotations are read back only for the keys configured.
		for _, f := range []string{"labels", "annotations"} {
			if !md[f].IsNull() {
				liveMap := live.GetLabels()
				if f == "annotations" {
					liveMap = live.GetAnnotations()
				}
				kept := map[string]string{}
				for key := range stringsOf(md[f]) {
					if v, ok := liveMap[key]; ok {
						kept[key] = v
					}
				}
				md[f] = stringMapValue(kept)
			}
		}
		decoded := map[string]string{}
		raw, _, _ := unstructured.NestedStringMap(live.Object, "data")
		for key, b64 := range raw {
			b, _ := base64.StdEncoding.DecodeString(b64)
			decoded[key] = string(b)
		}
		secretType, _, _ := unstructured.NestedString(live.Object, "type")
		out := map[string]tftypes.Value{}
		for name, t := range s.ValueType().(tftypes.Object).AttributeTypes {
			out[name] = p[name]
			if out[name].Type() == nil {
				out[name] = tftypes.NewValue(t, nil)
			}
		}
		out["id"] = tftypes.NewValue(tftypes.String, live.GetNamespace()+"/"+live.GetName())
		out["metadata"] = tftypes.NewValue(metadata.ValueType(), []tftypes.Value{tftypes.NewValue(mdType, md)})
		out["data"] = stringMapValue(decoded)
		if len(decoded) == 0 && p["data"].IsNull() {
			out["data"] = tftypes.NewValue(stringMap, nil)
		}
		out["type"] = tftypes.NewValue(tftypes.String, secretType)
		return tftypes.NewValue(s.ValueType(), out)
	}
	body := func(planned tftypes.Value) *unstructured.Unstructured {
		p := fields(planned)
		md := listFirst(p["metadata"])
		data := map[string]interface{}{}
		for key, v := range stringsOf(p["data"]) {
			data[key] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		u := &unstructured.Unstructured{Object: map[string]interface{}{"apiVersion": "v1", "kind": "Secret", "data": data, "type": str(p["type"])}}
		u.SetName(str(md["name"]))
		u.SetNamespace(namespaceOr(str(md["namespace"])))
		if l := stringsOf(md["labels"]); len(l) > 0 {
			u.SetLabels(l)
		}
		if a := stringsOf(md["annotations"]); len(a) > 0 {
			u.SetAnnotations(a)
		}
		return u
	}
	return &resource{
		schema: s,
		plan: func(_ context.Context, prior, proposed, _ tftypes.Value) (tftypes.Value, []*tftypes.AttributePath, error) {
			p := fields(proposed)
			if str(p["type"]) == "" && p["type"].IsKnown() {
				p["type"] = tftypes.NewValue(tftypes.String, "Opaque")
			}
			planned := tftypes.NewValue(proposed.Type(), p)
			if prior.IsNull() || !planned.Equal(prior) {
				md := listFirst(p["metadata"])
				md["generation"], md["resource_version"] = unknown(tftypes.Number), unknown(tftypes.String)
				if prior.IsNull() {
					md["uid"] = unknown(tftypes.String)
					p["id"] = unknown(tftypes.String)
				}
				p["metadata"] = tftypes.NewValue(metadata.ValueType(), []tftypes.Value{tftypes.NewValue(mdType, md)})
				planned = tftypes.NewValue(proposed.Type(), p)
			}
			replace := []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("metadata").WithElementKeyInt(0).WithAttributeName("name"),
				tftypes.NewAttributePath().WithAttributeName("metadata").WithElementKeyInt(0).WithAttributeName("namespace")}
			return planned, replace, nil
		},
		apply: func(ctx context.Context, prior, planned tftypes.Value) (tftypes.Value, error) {
			dyn, err := k.client()
			if err != nil {
				return planned, err
			}
			target := planned
			if planned.IsNull() {
				target = prior
			}
			u := body(target)
			secrets := dyn.Resource(secretGVR).Namespace(u.GetNamespace())
			if planned.IsNull() {
				err := secrets.Delete(ctx, u.GetName(), metav1.DeleteOptions{})
				if apierrors.IsNotFound(err) {
					err = nil
				}
				return planned, err
			}
			var live *unstructured.Unstructured
			if prior.IsNull() {
				if live, err = secrets.Create(ctx, u, metav1.CreateOptions{FieldManager: typedClientManager}); err != nil {
					return planned, err
				}
				// As resourceKubernetesSecretV1Create: the Secret is read back after its create, and a
				// failed read fails the apply with the id already set, so OpenTofu keeps it, tainted.
				if _, err := secrets.Get(ctx, u.GetName(), metav1.GetOptions{}); err != nil {
					return state(planned, live), &keptState{&userError{err.Error(), ""}}
				}
			} else {
				var current *unstructured.Unstructured
				if current, err = secrets.Get(ctx, u.GetName(), metav1.GetOptions{}); err == nil {
					u.SetResourceVersion(current.GetResourceVersion())
					live, err = secrets.Update(ctx, u, metav1.UpdateOptions{FieldManager: typedClientManager})
				}
			}
			if err != nil {
				return planned, err
			}
			return state(planned, live), nil
		},
		read: func(ctx context.Context, current tftypes.Value) (tftypes.Value, error) {
			dyn, err := k.client()
			if err != nil {
				return current, err
			}
			md := listFirst(fields(current)["metadata"])
			live, err := dyn.Resource(secretGVR).Namespace(namespaceOr(str(md["namespace"]))).Get(ctx, str(md["name"]), metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return tftypes.NewValue(current.Type(), nil), nil
			}
			if err != nil {
				return current, err
			}
			return state(current, live), nil
		},
		imprt: func(ctx context.Context, id string) (tftypes.Value, error) {
			ns, name, ok := strings.Cut(id, "/")
			if !ok {
				ns, name = "default", id
			}
			dyn, err := k.client()
			if err != nil {
				return tftypes.Value{}, err
			}
			live, err := dyn.Resource(secretGVR).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return tftypes.Value{}, err
			}
			return state(tftypes.NewValue(s.ValueType(), nil), live), nil
		},
	}
}

func namespaceOr(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}
