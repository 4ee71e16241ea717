package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
)

// kubernetes_manifest's `wait` block and `timeouts`, as hashicorp/kubernetes 2.38.0 has them
// (manifest/provider/waiter.go and apply.go): after a create or an update, the object is read
// once a second until the waiter is satisfied or the create/update timeout (default 10m) ends.
// Only one waiter runs: rollout if true, else the conditions if any, else the fields. A timeout
// is an error whose summary is "Operation timed out" and detail "timed out waiting on <what>";
// the object stays in the new state (so OpenTofu taints a resource it was creating).

const waitPoll = time.Second

// timedOut is the error of a waiter whose deadline passed: the real provider reports it and
// still returns the object it applied as the new state.
type timedOut struct{ reason string }

func (e timedOut) Error() string { return fmt.Sprintf("timed out waiting on %v", e.reason) }

// applyTimeout is the create or update timeout of the `timeouts` block, 10m unless set.
func applyTimeout(p map[string]tftypes.Value, creating bool) time.Duration {
	key := "update"
	if creating {
		key = "create"
	}
	d, _ := time.ParseDuration("10m")
	if t := listFirst(p["timeouts"]); t != nil {
		if s := str(t[key]); s != "" {
			d, _ = time.ParseDuration(s)
		}
	}
	return d
}

type waiter func(obj map[string]interface{}) (bool, error)

// waiterOf builds the one waiter the block selects; nil when there is nothing to wait for.
func waiterOf(block map[string]tftypes.Value) (waiter, string, error) {
	if boolOr(block["rollout"], false) {
		return nil, "", fmt.Errorf("the stand-in does not implement wait.rollout")
	}
	var conditions []tftypes.Value
	if v := block["condition"]; v.IsKnown() && !v.IsNull() {
		_ = v.As(&conditions)
	}
	if len(conditions) > 0 {
		return conditionsWaiter(conditions), "conditions", nil
	}
	fv := block["fields"]
	if !fv.IsKnown() || fv.IsNull() {
		return nil, "", nil
	}
	var matchers []fieldMatcher
	for path, expr := range stringsOf(fv) {
		re, err := regexp.Compile(expr)
		if expr == "*" {
			re, err = regexp.MustCompile("(.*)?"), nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("invalid regular expression: %q", expr)
		}
		steps, err := parseFieldPath(path)
		if err != nil {
			return nil, "", err
		}
		matchers = append(matchers, fieldMatcher{steps, re})
	}
	return fieldsWaiter(matchers), "field matchers", nil
}

// conditionsWaiter: every condition's type is present in status.conditions with its status.
func conditionsWaiter(conditions []tftypes.Value) waiter {
	return func(obj map[string]interface{}) (bool, error) {
		status, _ := obj["status"].(map[string]interface{})
		have, _ := status["conditions"].([]interface{})
		if len(have) == 0 {
			return false, nil
		}
		for _, c := range conditions {
			want := fields(c)
			met := false
			for _, h := range have {
				hc, _ := h.(map[string]interface{})
				if hc["type"] == str(want["type"]) {
					met = hc["status"] == str(want["status"])
					break
				}
			}
			if !met {
				return false, nil
			}
		}
		return true, nil
	}
}

type fieldMatcher struct {
	steps []interface{} // string: attribute or map key; int: list index
	re    *regexp.Regexp
}

// fieldsWaiter: every path is present and its value (a string, a bool or a number, as text)
// matches its regular expression. A path not there yet keeps the waiter waiting.
func fieldsWaiter(matchers []fieldMatcher) waiter {
	return func(obj map[string]interface{}) (bool, error) {
		for _, m := range matchers {
			v, ok := walk(obj, m.steps)
			if !ok {
				return false, nil
			}
			var s string
			switch d := v.(type) {
			case string:
				s = d
			case bool:
				s = fmt.Sprintf("%t", d)
			case json.Number:
				if i, err := d.Int64(); err == nil {
					s = fmt.Sprintf("%d", i)
				} else {
					f, _ := d.Float64()
					s = fmt.Sprintf("%f", f)
				}
			case float64:
				if d == float64(int64(d)) {
					s = fmt.Sprintf("%d", int64(d))
				} else {
					s = fmt.Sprintf("%f", d)
				}
			case int64:
				s = fmt.Sprintf("%d", d)
			default:
				return true, fmt.Errorf("wait_for: cannot match on type %T", v)
			}
			if !m.re.MatchString(s) {
				return false, nil
			}
		}
		return true, nil
	}
}

func walk(v interface{}, steps []interface{}) (interface{}, bool) {
	for _, step := range steps {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]interface{})
			if !ok {
				return nil, false
			}
			if v, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			l, ok := v.([]interface{})
			if !ok || s >= len(l) {
				return nil, false
			}
			v = l[s]
		}
	}
	return v, true
}

var fieldStep = regexp.MustCompile(`^(?:\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["([^"]*)"\])`)

// parseFieldPath reads the provider's field paths: `status.conditions[0].type`, `a["b.c"]`.
func parseFieldPath(path string) ([]interface{}, error) {
	var steps []interface{}
	for rest := path; rest != ""; {
		m := fieldStep.FindStringSubmatch(rest)
		if m == nil || (len(steps) == 0 && strings.HasPrefix(rest, ".")) {
			return nil, fmt.Errorf("invalid field path %q", path)
		}
		switch {
		case m[1] != "":
			steps = append(steps, m[1])
		case m[2] != "":
			i, _ := strconv.Atoi(m[2])
			steps = append(steps, i)
		default:
			steps = append(steps, m[3])
		}
		rest = rest[len(m[0]):]
	}
	return steps, nil
}

// waitFor runs the block's waiter against the object until it is satisfied or the deadline passes.
func waitFor(ctx context.Context, res dynamic.ResourceInterface, name string, waitBlock tftypes.Value, timeout time.Duration) error {
	block := listFirst(waitBlock)
	if block == nil {
		return nil
	}
	done, what, err := waiterOf(block)
	if err != nil || done == nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		if time.Now().After(deadline) {
			return timedOut{what}
		}
		live, err := res.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsGone(err) {
			return fmt.Errorf("resource was deleted")
		}
		if err != nil {
			return err
		}
		// Numbers as json.Number, as the real provider sees them through its typed conversion.
		raw, _ := json.Marshal(live.Object)
		var obj map[string]interface{}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		_ = dec.Decode(&obj)
		ok, err := done(obj)
		if ok {
			return err
		}
		time.Sleep(waitPoll)
	}
}
