package main

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Schema shorthands.
func attr(name string, t tftypes.Type, flags string) *tfprotov6.SchemaAttribute {
	a := &tfprotov6.SchemaAttribute{Name: name, Type: t}
	for _, f := range flags {
		switch f {
		case 'r':
			a.Required = true
		case 'o':
			a.Optional = true
		case 'c':
			a.Computed = true
		case 's':
			a.Sensitive = true
		}
	}
	return a
}

func listBlock(name string, max int64, attrs ...*tfprotov6.SchemaAttribute) *tfprotov6.SchemaNestedBlock {
	return &tfprotov6.SchemaNestedBlock{TypeName: name, Nesting: tfprotov6.SchemaNestedBlockNestingModeList, MaxItems: max, Block: &tfprotov6.SchemaBlock{Attributes: attrs}}
}

func schemaOf(blocks []*tfprotov6.SchemaNestedBlock, attrs ...*tfprotov6.SchemaAttribute) *tfprotov6.Schema {
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{Attributes: attrs, BlockTypes: blocks}}
}

var stringMap = tftypes.Map{ElementType: tftypes.String}

// fields reads an object value's attributes; a null object has none.
func fields(v tftypes.Value) map[string]tftypes.Value {
	m := map[string]tftypes.Value{}
	if v.IsNull() || !v.IsKnown() {
		return m
	}
	_ = v.As(&m)
	return m
}

func str(v tftypes.Value) string {
	var s string
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	return s
}

func boolOr(v tftypes.Value, def bool) bool {
	if !v.IsKnown() || v.IsNull() {
		return def
	}
	var b bool
	_ = v.As(&b)
	return b
}

func intOr(v tftypes.Value, def int) int {
	if !v.IsKnown() || v.IsNull() {
		return def
	}
	var n big.Float
	_ = v.As(&n)
	i, _ := n.Int64()
	return int(i)
}

// with returns obj with the named attributes replaced.
func with(obj tftypes.Value, changes map[string]tftypes.Value) tftypes.Value {
	m := fields(obj)
	for k, v := range changes {
		m[k] = v
	}
	return tftypes.NewValue(obj.Type(), m)
}

func stringsOf(v tftypes.Value) map[string]string {
	out := map[string]string{}
	if !v.IsKnown() || v.IsNull() {
		return out
	}
	m := map[string]tftypes.Value{}
	_ = v.As(&m)
	for k, e := range m {
		out[k] = str(e)
	}
	return out
}

func stringMapValue(m map[string]string) tftypes.Value {
	if m == nil {
		return tftypes.NewValue(stringMap, nil)
	}
	vals := map[string]tftypes.Value{}
	for k, s := range m {
		vals[k] = tftypes.NewValue(tftypes.String, s)
	}
	return tftypes.NewValue(stringMap, vals)
}

// toJSON turns a known value (of any type, dynamic included) into plain JSON data.
func toJSON(v tftypes.Value) (interface{}, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("value not known yet")
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, err
	case t.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, err
	case t.Is(tftypes.Number):
		f := new(big.Float)
		if err := v.As(&f); err != nil {
			return nil, err
		}
		return json.Number(f.Text('f', -1)), nil
	case t.Is(tftypes.Object{}) || t.Is(tftypes.Map{}):
		m := map[string]tftypes.Value{}
		if err := v.As(&m); err != nil {
			return nil, err
		}
		out := map[string]interface{}{}
		for k, e := range m {
			j, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	default: // list, tuple, set
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			return nil, err
		}
		out := make([]interface{}, 0, len(l))
		for _, e := range l {
			j, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return out, nil
	}
}

// fromJSON builds a value whose type follows the data: objects, tuples, strings, numbers, bools.
func fromJSON(data interface{}) tftypes.Value {
	switch d := data.(type) {
	case nil:
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	case string:
		return tftypes.NewValue(tftypes.String, d)
	case bool:
		return tftypes.NewValue(tftypes.Bool, d)
	case json.Number:
		f, _, _ := big.ParseFloat(string(d), 10, 512, big.ToNearestEven)
		return tftypes.NewValue(tftypes.Number, f)
	case float64:
		return tftypes.NewValue(tftypes.Number, big.NewFloat(d))
	case map[string]interface{}:
		types := map[string]tftypes.Type{}
		vals := map[string]tftypes.Value{}
		for k, e := range d {
			vals[k] = fromJSON(e)
			types[k] = vals[k].Type()
		}
		return tftypes.NewValue(tftypes.Object{AttributeTypes: types}, vals)
	case []interface{}:
		types := make([]tftypes.Type, len(d))
		vals := make([]tftypes.Value, len(d))
		for i, e := range d {
			vals[i] = fromJSON(e)
			types[i] = vals[i].Type()
		}
		return tftypes.NewValue(tftypes.Tuple{ElementTypes: types}, vals)
	}
	panic(fmt.Sprintf("unexpected JSON value %T", data))
}

// project reads `live` through the shape of `shape`: only the attributes and elements the shape
// has, each converted to the shape's type. This is what the kubernetes provider stores as
// `object` after an apply or a refresh: the fields the manifest sets, as the API server returns
// them. Where the server dropped or rewrote a field, the result differs from the shape's value,
// and OpenTofu reports the inconsistency exactly as it does for the real provider.
func project(shape tftypes.Value, live interface{}) tftypes.Value {
	t := shape.Type()
	if shape.IsNull() && !t.Is(tftypes.Object{}) {
		return shape
	}
	if live == nil {
		return tftypes.NewValue(t, nil)
	}
	switch {
	case t.Is(tftypes.Object{}):
		m, ok := live.(map[string]interface{})
		if !ok {
			return fromJSON(live)
		}
		attrs := fields(shape)
		out := map[string]tftypes.Value{}
		for k := range t.(tftypes.Object).AttributeTypes {
			out[k] = project(attrs[k], m[k])
			if !out[k].Type().Equal(t.(tftypes.Object).AttributeTypes[k]) {
				return fromJSON(live)
			}
		}
		return tftypes.NewValue(t, out)
	case t.Is(tftypes.Map{}):
		m, ok := live.(map[string]interface{})
		if !ok {
			return fromJSON(live)
		}
		out := map[string]tftypes.Value{}
		for k, e := range fields(shape) {
			out[k] = project(e, m[k])
		}
		return tftypes.NewValue(t, out)
	case t.Is(tftypes.Tuple{}):
		l, ok := live.([]interface{})
		var elems []tftypes.Value
		_ = shape.As(&elems)
		if !ok || len(l) != len(elems) {
			return fromJSON(live)
		}
		out := make([]tftypes.Value, len(elems))
		for i, e := range elems {
			out[i] = project(e, l[i])
			if !out[i].Type().Equal(e.Type()) {
				return fromJSON(live)
			}
		}
		return tftypes.NewValue(t, out)
	case t.Is(tftypes.String):
		switch d := live.(type) {
		case string:
			return tftypes.NewValue(t, d)
		case json.Number:
			return tftypes.NewValue(t, string(d))
		case bool:
			return tftypes.NewValue(t, fmt.Sprint(d))
		}
	case t.Is(tftypes.Number):
		if d, ok := live.(json.Number); ok {
			return fromJSON(d)
		}
	case t.Is(tftypes.Bool):
		if d, ok := live.(bool); ok {
			return tftypes.NewValue(t, d)
		}
	}
	return fromJSON(live)
}
