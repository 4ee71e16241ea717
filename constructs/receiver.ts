import { Construct } from 'constructs';
import { RECEIVER_V1, ReceiverSpec, ReceiverSpecResources } from '../lib/flux-types';
import { checkName, Problems } from '../lib/rules';
import { fieldsOf, is, list, required, string } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps, IFluxObject } from './flux-resource';

/**
 * Props of {@link Receiver}: every field of the Receiver spec (lib/flux-types), with the objects to
 * reconcile as construct references and the token's Secret by name.
 * @see https://fluxcd.io/flux/components/notification/receivers/
 */
export interface ReceiverProps extends FluxResourceProps, Omit<ReceiverSpec, 'resources' | 'secretRef' | 'interval'> {
  /**
   * The Flux objects a webhook asks to reconcile: constructs such as a GitRepository (their
   * apiVersion, kind, name and namespace are rendered), or a plain resource such as
   * `{ kind: 'GitRepository', name: '*', matchLabels: { app: 'web' } }`.
   * @see https://fluxcd.io/flux/components/notification/receivers/#resources
   */
  readonly resources: (IFluxObject | ReceiverSpecResources)[];
  /**
   * Name of the Secret, in the Receiver's namespace, whose `token` authenticates the webhook and
   * makes its URL path. Required for every type but generic-oidc, which must not set it.
   * @default - none (type generic-oidc only)
   * @see https://fluxcd.io/flux/components/notification/receivers/#secret-reference
   */
  readonly secretRef?: string;
  /**
   * How often notification-controller checks the Receiver and its Secret.
   * @default 10m
   */
  readonly interval?: string;
}

const isFluxObject = (v: unknown): v is IFluxObject =>
  ['apiVersion', 'kind', 'name', 'namespace'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string');
const isResource = (v: unknown) =>
  ['kind', 'name'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string');

/** The props a Receiver renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<ReceiverProps, 'resources' | 'secretRef'>>()({
  resources: required(list(is(isResource, 'a Flux object, such as a GitRepository, or { kind, name }'))),
  secretRef: string(),
});

// The order of Flux's docs; then the schema's.
const SPEC_ORDER = ['type', 'interval', 'events', 'secretRef', 'resources'] satisfies (keyof ReceiverSpec)[];

/**
 * A Flux `Receiver` (notification.toolkit.fluxcd.io/v1): a webhook, served by
 * notification-controller, that asks Flux to reconcile the objects it names at once, such as on a
 * push to GitHub. Flux reports it Ready with its URL path in `status.webhookPath`.
 * @see https://fluxcd.io/flux/components/notification/receivers/
 */
export class Receiver extends FluxResource<ReceiverSpec> {
  /** How often notification-controller checks the Receiver, with the default resolved. */
  public readonly interval: string;
  private readonly props: ReceiverProps;

  constructor(scope: Construct, id: string, props: ReceiverProps) {
    super(scope, id, props, { type: RECEIVER_V1, props: OWN_PROPS });
    this.props = copyData(props);
    this.interval = props.interval ?? '10m';

    const problems = new Problems(this.subject);
    checkName(problems, 'secretRef', props.secretRef);
    // The CRD states both as CEL rules (Flux v2.9), which the schema check does not evaluate; the
    // CRD of Flux v2.8 requires secretRef in its schema, and this message comes first.
    if (props.type === 'generic-oidc' && props.secretRef !== undefined)
      problems.add(
        `secretRef "${props.secretRef}" is set, but a Receiver of type generic-oidc authenticates with the OIDC ` +
          'token of each request, and the API server refuses a secretRef for it; drop secretRef',
        'secretRef',
      );
    else if (props.type !== 'generic-oidc' && props.secretRef === undefined)
      problems.add(
        `secretRef is missing: a Receiver of type ${props.type} needs the Secret whose token authenticates the ` +
          'webhook (and makes its URL path); give secretRef, the name of a Secret with the key token',
        'secretRef',
      );
    if (props.resources.length === 0)
      problems.add(
        'resources is empty, so a webhook would reconcile nothing; name the objects to reconcile, such as the ' +
          'GitRepository the webhook announces a push to',
        'resources',
      );
    this.createResource(problems);
  }

  protected renderSpec(): ReceiverSpec {
    const resource = (r: IFluxObject | ReceiverSpecResources): ReceiverSpecResources => {
      if (!isFluxObject(r)) return copyData(r);
      // notification-controller knows the apiVersion of sources only; a Kustomization needs its own.
      const namespace = r.namespace === this.namespace ? undefined : r.namespace;
      return { apiVersion: r.apiVersion, kind: r.kind as ReceiverSpecResources['kind'], name: r.name, namespace };
    };
    return this.specFrom(
      this.props,
      {
        interval: this.interval,
        secretRef: this.props.secretRef === undefined ? undefined : { name: this.props.secretRef },
        resources: this.props.resources.map(resource),
      },
      SPEC_ORDER,
    );
  }
}
