import { TerraformBackend, TerraformRemoteState } from 'cdktf';
import { Construct } from 'constructs';
import { NAMESPACE } from '../lib/rules';
import { checkProps, fieldsOf, required, string } from '../lib/shape';

/** Props of {@link KubernetesBackend}. */
export interface KubernetesBackendProps {
  /**
   * The state Secret is `tfstate-<workspace>-<secretSuffix>`, its lock the Lease
   * `lock-tfstate-<workspace>-<secretSuffix>`.
   */
  readonly secretSuffix: string;
  /** @default default */
  readonly namespace?: string;
  /** @default - KUBE_CONFIG_PATH */
  readonly configPath?: string;
  /** @default - the current context */
  readonly configContext?: string;
}

const KUBERNETES_BACKEND_PROPS = fieldsOf<KubernetesBackendProps>()({
  secretSuffix: required(string()),
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

  public getRemoteStateDataSource(scope: Construct, name: string): TerraformRemoteState {
    return new (class extends TerraformRemoteState {})(scope, name, 'kubernetes', { ...this.synthesizeAttributes() });
  }
}
