import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { PROVIDER_V1BETA3, ProviderSpec } from '../lib/flux-types';
import { checkName, Problems } from '../lib/rules';
import { fieldsOf, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps } from './flux-resource';

/**
 * Props of {@link Provider}: every field of the Provider spec (lib/flux-types), with the Secrets
 * it reads named by their names.
 * @see https://fluxcd.io/flux/components/notification/providers/
 */
export interface ProviderProps
  extends FluxResourceProps, Omit<ProviderSpec, 'secretRef' | 'certSecretRef' | 'proxySecretRef'> {
  /**
   * Name of the Secret, in the Provider's namespace, with the credentials: `token`, `username`,
   * `password`, `headers`, or the `address` itself (which then overrides `address`).
   * @default - none
   * @see https://fluxcd.io/flux/components/notification/providers/#secret-reference
   */
  readonly secretRef?: string;
  /**
   * Name of the Secret, in the Provider's namespace, with the TLS certificates for the address
   * (`ca.crt`, and `tls.crt` with `tls.key` for mutual TLS).
   * @default - the system's certificate authorities
   * @see https://fluxcd.io/flux/components/notification/providers/#certificate-secret-reference
   */
  readonly certSecretRef?: string;
  /**
   * Name of the Secret, in the Provider's namespace, with the proxy's `address` (and optional
   * `username` and `password`).
   * @default - no proxy
   * @see https://fluxcd.io/flux/components/notification/providers/#proxy-secret-reference
   */
  readonly proxySecretRef?: string;
}

/** The props a Provider renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ProviderProps, 'secretRef' | 'certSecretRef' | 'proxySecretRef'>>()({
  secretRef: string(),
  certSecretRef: string(),
  proxySecretRef: string(),
});

// The first fields, as Flux's docs write them; then the schema's order.
const SPEC_ORDER = ['type', 'address', 'channel', 'secretRef'] satisfies (keyof ProviderSpec)[];

/** The types whose events go to `address` as Flux's own JSON (notification-controller's forwarder). */
const WEBHOOK_TYPES = ['generic', 'generic-hmac'];
/** The types the CRD's CEL rule lets take commitStatusExpr. */
const COMMIT_STATUS_TYPES = ['github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops'];

/** What notification-controller v1beta3 does with a Provider. */
const STATIC =
  'a Provider (notification.toolkit.fluxcd.io/v1beta3) is static: notification-controller reads it for each ' +
  'event and never reports it Ready';

/**
 * A Flux `Provider` (notification.toolkit.fluxcd.io/v1beta3): where the events an {@link Alert}
 * selects are sent, such as a Slack channel, a Git commit status or a generic webhook.
 * @see https://fluxcd.io/flux/components/notification/providers/
 */
export class Provider extends FluxResource<ProviderSpec> {
  /** The provider type, as given. */
  public readonly type: ProviderSpec['type'];
  private readonly props: ProviderProps;

  constructor(scope: Construct, id: string, props: ProviderProps) {
    super(scope, id, props, {
      type: PROVIDER_V1BETA3,
      props: OWN_PROPS,
      neverReady: STATIC,
      objectLevelIdentity: (spec) => (spec.serviceAccountName ? 'serviceAccountName' : undefined),
    });
    this.props = copyData(props);
    this.type = props.type;

    const problems = new Problems(this.subject);
    const { address, secretRef, type } = props;
    for (const field of ['secretRef', 'certSecretRef', 'proxySecretRef'] as const)
      checkName(problems, field, props[field]);
    if (WEBHOOK_TYPES.includes(type)) {
      // notification-controller checks the address only when an event comes (url.ParseRequestURI),
      // and fails that event; the Secret's `address`, when there is one, takes its place.
      if (address === undefined && secretRef === undefined)
        problems.add(
          `address is missing: a Provider of type ${type} posts each event to it, and notification-controller fails ` +
            'every event without one; give address (an http:// or https:// URL), or a secretRef whose Secret ' +
            'holds it under the key address',
          'address',
        );
      else if (address !== undefined && !Token.isUnresolved(address) && !/^https?:\/\/[^/\s]+/.test(address))
        problems.add(
          `address "${address}" is not an http:// or https:// URL, which a Provider of type ${type} posts each ` +
            'event to; notification-controller fails every event with it. Use a URL such as ' +
            'https://hooks.example.com/flux',
          'address',
        );
    }
    // Flux signs the payload with the Secret's token, and refuses an empty key.
    if (type === 'generic-hmac' && secretRef === undefined)
      problems.add(
        'secretRef is missing: a Provider of type generic-hmac signs each event with the key under token in that ' +
          'Secret, and notification-controller fails every event without one; give secretRef, or use type generic',
        'secretRef',
      );
    // The CRD states it as a CEL rule, which the schema check does not evaluate.
    if (props.commitStatusExpr !== undefined && !COMMIT_STATUS_TYPES.includes(type))
      problems.add(
        `commitStatusExpr is set, but type is ${type}, which writes no commit status and which the API server ` +
          `refuses it for; drop it, or use one of ${COMMIT_STATUS_TYPES.join(', ')}`,
        'commitStatusExpr',
      );
    if (props.interval !== undefined)
      problems.add(
        `interval "${props.interval}" is not used by Provider v1beta3 (deprecated: notification-controller reads ` +
          'the Provider and its Secrets for each event); drop it',
        'interval',
      );
    this.createResource(problems);
  }

  protected renderSpec(): ProviderSpec {
    const { secretRef, certSecretRef, proxySecretRef } = this.props;
    const ref = (name?: string) => (name === undefined ? undefined : { name });
    return this.specFrom(
      this.props,
      { secretRef: ref(secretRef), certSecretRef: ref(certSecretRef), proxySecretRef: ref(proxySecretRef) },
      SPEC_ORDER,
    );
  }
}
