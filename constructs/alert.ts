import { Construct } from 'constructs';
import { ALERT_V1BETA3, AlertSpec, AlertSpecEventSources } from '../lib/flux-types';
import { Problems } from '../lib/rules';
import { fieldsOf, is, list, required } from '../lib/shape';
import { copyData, FluxResource, FluxResourceProps, IFluxObject } from './flux-resource';

/**
 * Props of {@link Alert}: every field of the Alert spec (lib/flux-types), with the Provider and the
 * event sources as construct references.
 * @see https://fluxcd.io/flux/components/notification/alerts/
 */
export interface AlertProps extends FluxResourceProps, Omit<AlertSpec, 'providerRef' | 'eventSources'> {
  /**
   * Where the events go: a {@link Provider} in the Alert's namespace (Flux names it by name alone).
   * @see https://fluxcd.io/flux/components/notification/alerts/#providers
   */
  readonly providerRef: IFluxObject;
  /**
   * The Flux objects whose events are sent: constructs such as a Kustomization (their kind, name
   * and namespace are rendered), or a plain source such as `{ kind: 'Kustomization', name: '*' }`
   * for every object of a kind.
   * @see https://fluxcd.io/flux/components/notification/alerts/#event-sources
   */
  readonly eventSources: (IFluxObject | AlertSpecEventSources)[];
  /**
   * Which events are sent: `error` for errors only, `info` for every event.
   * @default info
   * @see https://fluxcd.io/flux/components/notification/alerts/#event-severity
   */
  readonly eventSeverity?: AlertSpec['eventSeverity'];
}

const isFluxObject = (v: unknown): v is IFluxObject =>
  ['apiVersion', 'kind', 'name', 'namespace'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string');
const isEventSource = (v: unknown) =>
  ['kind', 'name'].every((k) => typeof (v as Record<string, unknown>)?.[k] === 'string');

/** The props an Alert renders itself; every other spec field is left to the CRD schema. */
const OWN_PROPS = fieldsOf<Pick<AlertProps, 'providerRef' | 'eventSources'>>()({
  providerRef: required(is(isFluxObject, 'a Flux object, such as a Provider')),
  eventSources: required(list(is(isEventSource, 'a Flux object, such as a Kustomization, or { kind, name }'))),
});

// The order of Flux's docs; then the schema's.
const SPEC_ORDER = ['providerRef', 'eventSeverity', 'eventSources'] satisfies (keyof AlertSpec)[];

/** What notification-controller v1beta3 does with an Alert. */
const STATIC =
  'an Alert (notification.toolkit.fluxcd.io/v1beta3) is static: notification-controller matches each event ' +
  'against it and never reports it Ready';

/**
 * A Flux `Alert` (notification.toolkit.fluxcd.io/v1beta3): sends the events of the Flux objects it
 * names, of the severity it selects, to a {@link Provider}.
 * @see https://fluxcd.io/flux/components/notification/alerts/
 */
export class Alert extends FluxResource<AlertSpec> {
  /** The Provider the events go to. */
  public readonly providerRef: IFluxObject;
  /** The severity of the events sent, with the default resolved. */
  public readonly eventSeverity: NonNullable<AlertSpec['eventSeverity']>;
  private readonly props: AlertProps;

  constructor(scope: Construct, id: string, props: AlertProps) {
    super(scope, id, props, { type: ALERT_V1BETA3, props: OWN_PROPS, neverReady: STATIC });
    this.props = copyData(props);
    this.providerRef = props.providerRef;
    this.eventSeverity = props.eventSeverity ?? 'info';

    const problems = new Problems(this.subject);
    const provider = props.providerRef;
    if (provider.kind !== 'Provider')
      problems.add(
        `providerRef ${provider.kind} ${provider.namespace}/${provider.name} is not a Provider; give the Provider ` +
          'the events go to',
        'providerRef',
      );
    else if (provider.namespace !== this.namespace)
      problems.add(
        `providerRef Provider ${provider.namespace}/${provider.name} is in another namespace than the Alert ` +
          `(${this.namespace}), and Flux looks the Provider up by name in the Alert's namespace; create the ` +
          `Provider in ${this.namespace}, or the Alert in ${provider.namespace}`,
        'providerRef',
      );
    if (props.eventSources.length === 0)
      problems.add(
        'eventSources is empty, so the Alert would send no event at all; name the objects whose events to send, ' +
          "or { kind: 'Kustomization', name: '*' } for every one of a kind",
        'eventSources',
      );
    this.createResource(problems);
    this.node.addValidation({ validate: () => this.stackProblems() });
  }

  protected renderSpec(): AlertSpec {
    const source = (s: IFluxObject | AlertSpecEventSources): AlertSpecEventSources => {
      if (!isFluxObject(s)) return copyData(s);
      const namespace = s.namespace === this.namespace ? undefined : s.namespace;
      return { kind: s.kind as AlertSpecEventSources['kind'], name: s.name, namespace };
    };
    return this.specFrom(
      this.props,
      {
        providerRef: { name: this.providerRef.name },
        eventSeverity: this.eventSeverity,
        eventSources: this.props.eventSources.map(source),
      },
      SPEC_ORDER,
    );
  }

  /** Whole-tree rule: the Provider is deployed by this stack. */
  private stackProblems(): string[] {
    return this.referenceProblems([
      {
        field: 'providerRef',
        object: this.providerRef,
        consequence: 'so the events would go nowhere until it exists',
        fix: (stack) => `create the Provider in ${stack}`,
      },
    ]);
  }
}
