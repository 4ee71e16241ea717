import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ResolvedEnvironment } from '../settings';

// The Terraform variables the stacks read at plan time (TF_VAR_<name> or -var): what differs
// between runs of the same configuration, and the token, which must never be synthesized. Their
// defaults come from the environment's settings.

/**
 * Declares `github_token`: sensitive, no default, read from TF_VAR_github_token. Only the
 * `https-token` auth needs it, to write it into the Secret Flux reads; everywhere else the github
 * provider reads GITHUB_TOKEN itself, so the token is never a variable and never in a saved plan.
 */
export function githubTokenVariable(scope: Construct): string {
  return new TerraformVariable(scope, 'github_token', {
    type: 'string',
    sensitive: true,
    description: 'GitHub token Flux reads the repository with over HTTPS; set TF_VAR_github_token',
  }).stringValue;
}

/**
 * Declares `github_app_private_key`: sensitive, no default, read from TF_VAR_github_app_private_key.
 * The `github-app` auth writes it into the Secret Flux mints installation tokens with.
 */
export function githubAppPrivateKeyVariable(scope: Construct): string {
  return new TerraformVariable(scope, 'github_app_private_key', {
    type: 'string',
    sensitive: true,
    description: "The GitHub App's private key (PEM) Flux authenticates with; set TF_VAR_github_app_private_key",
  }).stringValue;
}

/** The variable a source's token comes from: `source_<name>_token`, the name's `-` and `.` as `_`. */
export function sourceTokenVariableName(source: string): string {
  return `source_${source.replace(/[-.]/g, '_')}_token`;
}

/**
 * Declares (once) `source_<name>_token`: sensitive, no default, read from TF_VAR_source_<name>_token.
 * A source's `credentials` of type token write it into the Secret Flux reads the source with.
 */
export function sourceTokenVariable(scope: Construct, source: string): string {
  const name = sourceTokenVariableName(source);
  const declared = scope.node.tryFindChild(name) as TerraformVariable | undefined;
  const variable =
    declared ??
    new TerraformVariable(scope, name, {
      type: 'string',
      sensitive: true,
      description: `Token Flux reads the source ${source} with; set TF_VAR_${name}`,
    });
  return variable.stringValue;
}

/** Declares `github_org` and `github_repository`. */
export function githubRepositoryVariables(
  scope: Construct,
  env: ResolvedEnvironment,
): { org: string; repository: string } {
  const org = new TerraformVariable(scope, 'github_org', {
    type: 'string',
    default: env.githubOrg,
    description: 'GitHub organization or user owning the repository',
  });
  const repository = new TerraformVariable(scope, 'github_repository', {
    type: 'string',
    default: env.githubRepository,
    description: 'GitHub repository Flux syncs from',
  });
  return { org: org.stringValue, repository: repository.stringValue };
}

/** Declares `kubeconfig_path` and `kube_context`, which select the cluster. */
export function kubernetesVariables(
  scope: Construct,
  env: ResolvedEnvironment,
): { configPath: string; configContext: string } {
  const configPath = new TerraformVariable(scope, 'kubeconfig_path', {
    type: 'string',
    default: env.kubeconfigPath,
    description: 'kubeconfig file of the cluster',
    // Without it, the kubernetes provider stops with "no client config", naming neither.
    validation: [
      {
        condition: '${fileexists(pathexpand(var.kubeconfig_path))}',
        errorMessage:
          'kubeconfig_path: there is no kubeconfig at "${var.kubeconfig_path}"; set TF_VAR_kubeconfig_path (or ' +
          "-var kubeconfig_path=...) to the cluster's kubeconfig file",
      },
    ],
  });
  const configContext = new TerraformVariable(scope, 'kube_context', {
    type: 'string',
    default: env.kubeContext,
    description: 'kubeconfig context; empty for the current one',
  });
  return { configPath: configPath.stringValue, configContext: configContext.stringValue };
}

/** Declares `git_branch`, the branch Flux follows. */
export function branchVariable(scope: Construct, env: ResolvedEnvironment): string {
  return new TerraformVariable(scope, 'git_branch', {
    type: 'string',
    default: env.branch,
    description: 'Branch of the repository Flux follows',
  }).stringValue;
}
