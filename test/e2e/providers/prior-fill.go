package main

// How hashicorp/kubernetes 2.38.0 plans an update of a kubernetes_manifest
// (manifest/provider/plan.go): every path of the object that the configuration does not set,
// and that the previous configuration did not set either, takes the value the prior object
// holds at the same path. Lists are walked by index, so when an item moves (a patch adds an env
// var in front of the others), the fields the API server defaulted on the item that used to be
// at that index are sent with the new one: `valueFrom.fieldRef.apiVersion` of a moved env var
// makes the API server refuse the Deployment (hashicorp/terraform-provider-kubernetes#2639).
//
// The stand-in does the same inside list items, the only place where it changes what the server
// stores. Elsewhere the real provider sends back the value the server already holds.

// Fields whose schema is a map (additionalProperties): the configuration's keys are the whole
// value, nothing is filled into them. Every other JSON object is a struct, filled field by field.
var mapFields = map[string]bool{
	"annotations": true, "labels": true, "matchLabels": true, "nodeSelector": true, "selector": true,
	"limits": true, "requests": true, "data": true, "stringData": true, "binaryData": true, "hard": true,
}

// fillFromPrior is config with the fields the real provider fills in from prior inside list items.
// priorConfig is the configuration of the previous apply (nil after an import, as the real
// provider stores a null manifest then).
func fillFromPrior(config, priorConfig, prior interface{}) interface{} {
	return fill(config, priorConfig, prior, false)
}

func fill(config, priorConfig, prior interface{}, inItem bool) interface{} {
	switch c := config.(type) {
	case map[string]interface{}:
		p, ok := prior.(map[string]interface{})
		if !ok {
			return c
		}
		pc, _ := priorConfig.(map[string]interface{})
		out := make(map[string]interface{}, len(c))
		for k, v := range c {
			if mapFields[k] {
				out[k] = v
			} else {
				out[k] = fill(v, pc[k], p[k], inItem)
			}
		}
		if !inItem {
			return out
		}
		for k, v := range p {
			if _, set := c[k]; set {
				continue
			}
			if kept, ok := unconfigured(k, pc[k], v, pc != nil && pc[k] != nil); ok {
				out[k] = kept
			}
		}
		return out
	case []interface{}:
		p, ok := prior.([]interface{})
		if !ok {
			return c
		}
		pc, _ := priorConfig.([]interface{})
		out := make([]interface{}, len(c))
		for i, v := range c {
			var pv, pcv interface{}
			if i < len(p) {
				pv = p[i]
			}
			if i < len(pc) {
				pcv = pc[i]
			}
			out[i] = fill(v, pcv, pv, true)
		}
		return out
	}
	return config
}

// unconfigured is the part of prior (at field k) that neither configuration sets: a struct is
// walked field by field, a leaf, list or map is taken whole unless the previous configuration
// set it.
func unconfigured(k string, priorConfig, prior interface{}, wasSet bool) (interface{}, bool) {
	p, isStruct := prior.(map[string]interface{})
	if !isStruct || mapFields[k] {
		return prior, !wasSet && prior != nil
	}
	pc, _ := priorConfig.(map[string]interface{})
	out := map[string]interface{}{}
	for f, v := range p {
		if kept, ok := unconfigured(f, pc[f], v, pc != nil && pc[f] != nil); ok {
			out[f] = kept
		}
	}
	return out, len(out) > 0
}
