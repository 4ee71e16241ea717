import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ITerraformDependable, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { checkName, checkNamespace, Problems } from '../lib/rules';
import { anything, boolean, Check, list, provider, required, string } from '../lib/shape';
import { ImportExisting } from './import-existing';

/** What a Secret the stacks write for git access over HTTPS takes besides its credentials. */
export interface HttpsGitSecretProps {
  /**
   * The PEM certificate of the CA that signed the git host's certificate, as `ca.crt`, when the
   * controllers do not trust it already.
   * @default - the system's CAs
   */
  readonly caCert?: string;
  /** Namespace of the Secret: the namespace of the GitRepository that uses it. */
  readonly namespace: string;
  /**
   * Name of the Secret.
   * @default flux-system
   */
  readonly secretName?: string;
  /** Take over the Secret `flux bootstrap` left, overwriting its keys (import block). @default false */
  readonly adopt?: boolean;
  /** Resources the Secret must wait for, such as the Flux namespace. @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * The kubernetes provider configuration the Secret is made with, for a stack with more than one.
   * @default - the stack's default kubernetes provider
   */
  readonly kubernetesProvider?: TerraformProvider;
}

/** The shape of {@link HttpsGitSecretProps}, part of each such Secret's props table. */
export const HTTPS_GIT_SECRET_PROPS = {
  namespace: required(string()),
  secretName: string(),
  caCert: string(),
  adopt: boolean,
  dependsOn: list(anything),
  kubernetesProvider: provider,
} satisfies Record<keyof HttpsGitSecretProps, Check>;

/**
 * The Secret `scope` writes for Flux: its name resolved and checked with its namespace, holding
 * `data` and the CA as `ca.crt`, imported when adopting.
 */
export function httpsGitSecret(
  scope: Construct,
  props: HttpsGitSecretProps,
  data: Record<string, string>,
): { secretName: string; secret: SecretV1 } {
  const secretName = props.secretName ?? 'flux-system';
  const problems = new Problems(scope.node.path);
  checkName(problems, 'secretName', secretName);
  checkNamespace(problems, 'namespace', props.namespace);
  problems.throwIfAny();
  const secret = new SecretV1(scope, 'secret', {
    metadata: { name: secretName, namespace: props.namespace },
    data: { ...data, ...(props.caCert && { 'ca.crt': props.caCert }) },
    dependsOn: props.dependsOn,
    provider: props.kubernetesProvider,
  });
  if (props.adopt) new ImportExisting(scope, secret, `${props.namespace}/${secretName}`);
  return { secretName, secret };
}
