package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// resource is one managed resource type. Values are the whole resource object; null means
// absent (create plans have a null prior, destroy plans a null planned state).
type resource struct {
	schema *tfprotov6.Schema
	// plan returns the planned state and the paths whose change forces a replacement.
	plan   func(ctx context.Context, prior, proposed, config tftypes.Value) (tftypes.Value, []*tftypes.AttributePath, error)
	apply  func(ctx context.Context, prior, planned tftypes.Value) (tftypes.Value, error)
	read   func(ctx context.Context, current tftypes.Value) (tftypes.Value, error)
	imprt  func(ctx context.Context, id string) (tftypes.Value, error)
}

type dataSource struct {
	schema *tfprotov6.Schema
	read   func(ctx context.Context, config tftypes.Value) (tftypes.Value, error)
}

// providerServer implements the plugin protocol (v6) around resource and dataSource tables.
type providerServer struct {
	address     string
	schema      *tfprotov6.Schema
	configure   func(ctx context.Context, config tftypes.Value) error
	resources   map[string]*resource
	dataSources map[string]*dataSource
}

func errorDiag(summary string, err error) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: err.Error()}}
}

// userError carries the summary line the real provider shows above its detail.
type userError struct{ summary, detail string }

func (e *userError) Error() string { return e.detail }

// keptState is an error after which the new state is kept: the object exists as applied (the
// kubernetes provider's wait timing out). OpenTofu taints a resource it was creating.
type keptState struct{ *userError }

func diagOf(fallback string, err error) []*tfprotov6.Diagnostic {
	if ue, ok := err.(*userError); ok {
		return errorDiag(ue.summary, fmt.Errorf("%s", ue.detail))
	}
	return errorDiag(fallback, err)
}

func encode(schema *tfprotov6.Schema, v tftypes.Value) (*tfprotov6.DynamicValue, error) {
	dv, err := tfprotov6.NewDynamicValue(schema.ValueType(), v)
	return &dv, err
}

func unmarshal(schema *tfprotov6.Schema, dv *tfprotov6.DynamicValue) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(schema.ValueType(), nil), nil
	}
	return dv.Unmarshal(schema.ValueType())
}

func (p *providerServer) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp := &tfprotov6.GetMetadataResponse{ServerCapabilities: &tfprotov6.ServerCapabilities{PlanDestroy: true}}
	for name := range p.resources {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: name})
	}
	for name := range p.dataSources {
		resp.DataSources = append(resp.DataSources, tfprotov6.DataSourceMetadata{TypeName: name})
	}
	return resp, nil
}

func (p *providerServer) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp := &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{PlanDestroy: true},
		Provider:           p.schema,
		ResourceSchemas:    map[string]*tfprotov6.Schema{},
		DataSourceSchemas:  map[string]*tfprotov6.Schema{},
	}
	for name, r := range p.resources {
		resp.ResourceSchemas[name] = r.schema
	}
	for name, d := range p.dataSources {
		resp.DataSourceSchemas[name] = d.schema
	}
	return resp, nil
}

func (p *providerServer) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (p *providerServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	config, err := unmarshal(p.schema, req.Config)
	if err == nil {
		err = p.configure(ctx, config)
	}
	if err != nil {
		return &tfprotov6.ConfigureProviderResponse{Diagnostics: diagOf("Provider configuration failed", err)}, nil
	}
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

func (p *providerServer) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func (p *providerServer) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (p *providerServer) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	r := p.resources[req.TypeName]
	v, err := req.RawState.UnmarshalWithOpts(r.schema.ValueType(), tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiag("Reading state failed", err)}, nil
	}
	dv, err := encode(r.schema, v)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiag("Reading state failed", err)}, nil
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: dv}, nil
}

func (p *providerServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	r := p.resources[req.TypeName]
	current, err := unmarshal(r.schema, req.CurrentState)
	var next tftypes.Value
	if err == nil {
		next, err = r.read(ctx, current)
	}
	if err != nil {
		return &tfprotov6.ReadResourceResponse{Diagnostics: diagOf("Failed to read "+req.TypeName, err)}, nil
	}
	dv, err := encode(r.schema, next)
	if err != nil {
		return &tfprotov6.ReadResourceResponse{Diagnostics: errorDiag("Encoding state failed", err)}, nil
	}
	return &tfprotov6.ReadResourceResponse{NewState: dv, Private: req.Private}, nil
}

func (p *providerServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	r := p.resources[req.TypeName]
	prior, err1 := unmarshal(r.schema, req.PriorState)
	proposed, err2 := unmarshal(r.schema, req.ProposedNewState)
	config, err3 := unmarshal(r.schema, req.Config)
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errorDiag("Decoding plan failed", err)}, nil
		}
	}
	if proposed.IsNull() { // destroy
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil
	}
	planned, replace, err := r.plan(ctx, prior, proposed, config)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: diagOf("Failed to plan "+req.TypeName, err)}, nil
	}
	dv, err := encode(r.schema, planned)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errorDiag("Encoding plan failed", err)}, nil
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: dv, RequiresReplace: replace, PlannedPrivate: req.PriorPrivate}, nil
}

func (p *providerServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	r := p.resources[req.TypeName]
	prior, err1 := unmarshal(r.schema, req.PriorState)
	planned, err2 := unmarshal(r.schema, req.PlannedState)
	if err1 != nil || err2 != nil {
		return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: errorDiag("Decoding apply failed", fmt.Errorf("%v %v", err1, err2))}, nil
	}
	next, err := r.apply(ctx, prior, planned)
	if kept, ok := err.(*keptState); ok {
		dv, encErr := encode(r.schema, next)
		if encErr != nil {
			return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: errorDiag("Encoding state failed", encErr)}, nil
		}
		return &tfprotov6.ApplyResourceChangeResponse{NewState: dv, Private: req.PlannedPrivate, Diagnostics: diagOf("", kept.userError)}, nil
	}
	if err != nil {
		// Terraform keeps the prior state when an apply fails.
		return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PriorState, Diagnostics: diagOf("Failed to apply "+req.TypeName, err)}, nil
	}
	dv, err := encode(r.schema, next)
	if err != nil {
		return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: errorDiag("Encoding state failed", err)}, nil
	}
	return &tfprotov6.ApplyResourceChangeResponse{NewState: dv, Private: req.PlannedPrivate}, nil
}

func (p *providerServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	r := p.resources[req.TypeName]
	if r.imprt == nil {
		return &tfprotov6.ImportResourceStateResponse{Diagnostics: errorDiag("Import not supported", fmt.Errorf("%s cannot be imported", req.TypeName))}, nil
	}
	v, err := r.imprt(ctx, req.ID)
	if err != nil {
		return &tfprotov6.ImportResourceStateResponse{Diagnostics: diagOf("Failed to import "+req.TypeName, err)}, nil
	}
	dv, err := encode(r.schema, v)
	if err != nil {
		return &tfprotov6.ImportResourceStateResponse{Diagnostics: errorDiag("Encoding state failed", err)}, nil
	}
	return &tfprotov6.ImportResourceStateResponse{ImportedResources: []*tfprotov6.ImportedResource{{TypeName: req.TypeName, State: dv}}}, nil
}

func (p *providerServer) MoveResourceState(context.Context, *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: errorDiag("Move not supported", fmt.Errorf("moved blocks across types are not supported"))}, nil
}

func (p *providerServer) ValidateDataResourceConfig(context.Context, *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return &tfprotov6.ValidateDataResourceConfigResponse{}, nil
}

func (p *providerServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	d := p.dataSources[req.TypeName]
	config, err := unmarshal(d.schema, req.Config)
	var state tftypes.Value
	if err == nil {
		state, err = d.read(ctx, config)
	}
	if err != nil {
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: diagOf("Failed to read data source "+req.TypeName, err)}, nil
	}
	dv, err := encode(d.schema, state)
	if err != nil {
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: errorDiag("Encoding state failed", err)}, nil
	}
	return &tfprotov6.ReadDataSourceResponse{State: dv}, nil
}

func (p *providerServer) CallFunction(context.Context, *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return &tfprotov6.CallFunctionResponse{}, nil
}

func (p *providerServer) GetFunctions(context.Context, *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return &tfprotov6.GetFunctionsResponse{}, nil
}

func (p *providerServer) ValidateEphemeralResourceConfig(context.Context, *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov6.ValidateEphemeralResourceConfigResponse{}, nil
}

func (p *providerServer) OpenEphemeralResource(context.Context, *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return &tfprotov6.OpenEphemeralResourceResponse{}, nil
}

func (p *providerServer) RenewEphemeralResource(context.Context, *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return &tfprotov6.RenewEphemeralResourceResponse{}, nil
}

func (p *providerServer) CloseEphemeralResource(context.Context, *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return &tfprotov6.CloseEphemeralResourceResponse{}, nil
}
