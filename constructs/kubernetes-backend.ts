import { TerraformBackend, TerraformRemoteState } from 'cdktf';
import { Construct } from 'constructs';
import { NAMESPACE, Rule } from '../lib/rules';
import { checkProps, fieldsOf, required, string } from '../lib/shape';

/** Props of {@link KubernetesBackend}. */
export interface KubernetesBackendProps {
  /**
   * The state Secret is `tfstate-<workspace>-<secretSuffix>`, its lock the Lease
   * `lock-tfstate-<workspace>-<secretSuffix>`.
   */
  readonly secretSuffix: string;
  /**
   * Namespace of the state Secret and its Lease, which must exist before the first plan.
   * @default default
   */
  readonly namespace?: string;
  /**
   * Kubeconfig the backend reaches the cluster with.
   * @default - KUBE_CONFIG_PATH
   */
  readonly configPath?: string;
  /**
   * Kubeconfig context the backend uses.
   * @default - the current context
   */
  readonly configContext?: string;
}

// The backend names the state Secret tfstate-<workspace>-<suffix> and labels it with the suffix;
// it splits a large state over several Secrets by appending -<n> itself, so it refuses a suffix that
// ends in -<number> ("secret_suffix must not end with '-<number>'").
const SECRET_SUFFIX: Rule = {
  test: (v) => v.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && !/-\+?[0-9]+$/.test(v),
  text:
    'is not a secret suffix the kubernetes backend accepts; use at most 63 lower-case letters, digits, "-" and ' +
    '".", starting and ending with a letter or digit and not ending in -<number>: the backend appends -<n> ' +
    'itself when it splits a large state over several Secrets (such as state2 instead of state-2)',
};

const KUBERNETES_BACKEND_PROPS = fieldsOf<KubernetesBackendProps>()({
  secretSuffix: required(string(SECRET_SUFFIX)),
  namespace: string(NAMESPACE),
  configPath: string(),
  configContext: string(),
});

/** Terraform's `kubernetes` backend, which cdktf does not ship a class for. */
export class KubernetesBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly props: KubernetesBackendProps,
  ) {
    super(scope, 'backend', 'kubernetes');
    checkProps(`${this.node.path} (kubernetes backend)`, 'KubernetesBackend', KUBERNETES_BACKEND_PROPS, props);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries({
        secret_suffix: this.props.secretSuffix,
        namespace: this.props.namespace,
        config_path: this.props.configPath,
        config_context: this.props.configContext,
      }).filter(([, v]) => v !== undefined),
    );
  }

  /**
   * A `terraform_remote_state` data source that reads this backend's state (the same Secret) from
   * another stack.
   * @param scope - the stack that reads it
   * @param name - the data source's id in that stack
   */
  public getRemoteStateDataSource(scope: Construct, name: string): TerraformRemoteState {
    return new (class extends TerraformRemoteState {})(scope, name, 'kubernetes', { ...this.synthesizeAttributes() });
  }
}
