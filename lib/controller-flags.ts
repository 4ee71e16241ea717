// The command-line flags each Flux controller version accepts, so that a flag set through the
// typed settings (install.controllers.<controller>.flags) is refused at synth when the controller
// would refuse it at start-up, crash-looping after the deploy. No manifest says which flags a
// controller takes: they are defined in its main.go and in the BindFlags methods of the
// github.com/fluxcd/pkg option types it binds there (runtime/client, runtime/logger,
// runtime/leaderelection, runtime/acl, runtime/controller, runtime/features, cache, artifact, ...).
//
// A hand table, not generated in CI: each entry was read from the tagged sources named in its
// comment (the controller's main.go at the tag, and the fluxcd/pkg modules at the versions its
// go.mod requires there). kustomize-controller v1.9.0 and v1.9.4 and source-controller v1.8.5 were
// checked against the --help of the binaries the live suite builds, and match. Versions not listed
// (a newer Flux, the image automation controllers, source-watcher) are not checked.
// Each controller's first version lists its flags; each later one what it added (+) and removed (-).
// To add a version: compare the flags of `<controller> --help`, or read the sources as above.

/** A controller's versions in order: the first with its flags, each later one as changes to the one before. */
function versions(entries: [version: string, flags: string][]): Record<string, readonly string[]> {
  const byVersion: Record<string, readonly string[]> = {};
  let previous: readonly string[] = [];
  for (const [version, text] of entries) {
    const tokens = text.trim().split(/\s+/).filter(Boolean);
    const changes = tokens.every((t) => t.startsWith('+') || t.startsWith('-'));
    const flags =
      changes && previous.length > 0
        ? [
            ...previous.filter((f) => !tokens.includes(`-${f}`)),
            ...tokens.filter((t) => t.startsWith('+')).map((t) => t.slice(1)),
          ]
        : tokens;
    byVersion[version] = [...flags].sort();
    previous = byVersion[version];
  }
  return byVersion;
}

/** The flags (without `--`) of each controller version, by controller and image tag. */
export const CONTROLLER_FLAGS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'source-controller': versions([
    // main.go at v1.6.2; fluxcd/pkg cache/v0.9.0, runtime/v0.60.0
    [
      'v1.6.2',
      `
      artifact-digest-algo artifact-retention-records artifact-retention-ttl concurrent
      enable-leader-election events-addr feature-gates health-addr helm-cache-max-size
      helm-cache-purge-interval helm-cache-ttl helm-chart-file-max-size helm-chart-max-size
      helm-index-max-size interval-jitter-percentage kube-api-burst kube-api-qps
      leader-election-lease-duration leader-election-release-on-cancel leader-election-renew-deadline
      leader-election-retry-period log-encoding log-level max-retry-delay metrics-addr min-retry-delay
      requeue-dependency ssh-hostkey-algos ssh-kex-algos storage-addr storage-adv-addr storage-path
      token-cache-max-duration token-cache-max-size watch-all-namespaces watch-label-selector
    `,
    ],
    // main.go at v1.7.4; fluxcd/pkg artifact/v0.5.0, cache/v0.12.0, runtime/v0.90.0
    ['v1.7.4', `+default-service-account +watch-configs-label-selector`],
    // main.go at v1.8.5; fluxcd/pkg artifact/v0.8.1, cache/v0.13.0, runtime/v0.100.4
    ['v1.8.5', ``],
    // the --help of the v1.9.4 binary the live suite builds from the Go module (no v1.9.4 tag in the
    // source mirror read)
    ['v1.9.4', ``],
  ]),
  'kustomize-controller': versions([
    // main.go at v1.6.1; fluxcd/pkg cache/v0.9.0, runtime/v0.60.0
    [
      'v1.6.1',
      `
      concurrent concurrent-ssa default-service-account enable-leader-election events-addr
      feature-gates health-addr http-retry insecure-kubeconfig-exec insecure-kubeconfig-tls
      interval-jitter-percentage kube-api-burst kube-api-qps leader-election-lease-duration
      leader-election-release-on-cancel leader-election-renew-deadline leader-election-retry-period
      log-encoding log-level max-retry-delay metrics-addr min-retry-delay no-cross-namespace-refs
      no-remote-bases override-manager requeue-dependency token-cache-max-duration
      token-cache-max-size watch-all-namespaces watch-label-selector
    `,
    ],
    // main.go at v1.7.3; fluxcd/pkg cache/v0.12.0, runtime/v0.91.0
    [
      'v1.7.3',
      `
      +default-decryption-service-account +default-kubeconfig-service-account +sops-age-secret
      +watch-configs-label-selector
    `,
    ],
    // main.go at v1.8.5; fluxcd/pkg cache/v0.13.0, runtime/v0.100.4
    ['v1.8.5', `+custom-apply-stage-kinds`],
    // main.go at v1.9.4; fluxcd/pkg cache/v0.14.0, runtime/v0.110.1
    ['v1.9.4', `+sops-vault-configmap`],
  ]),
  'helm-controller': versions([
    // main.go at v1.3.0; fluxcd/pkg runtime/v0.60.0
    [
      'v1.3.0',
      `
      concurrent default-service-account enable-leader-election events-addr feature-gates
      graceful-shutdown-timeout health-addr http-retry insecure-kubeconfig-exec
      insecure-kubeconfig-tls interval-jitter-percentage kube-api-burst kube-api-qps
      leader-election-lease-duration leader-election-release-on-cancel leader-election-renew-deadline
      leader-election-retry-period log-encoding log-level max-retry-delay metrics-addr min-retry-delay
      no-cross-namespace-refs oom-watch-current-memory-path oom-watch-interval
      oom-watch-max-memory-path oom-watch-memory-threshold requeue-dependency snapshot-digest-algo
      watch-all-namespaces watch-label-selector
    `,
    ],
    // main.go at v1.4.5; fluxcd/pkg cache/v0.12.0, runtime/v0.91.0
    [
      'v1.4.5',
      `
      +default-kubeconfig-service-account +token-cache-max-duration +token-cache-max-size
      +watch-configs-label-selector
    `,
    ],
    // main.go at v1.5.5; fluxcd/pkg cache/v0.13.0, runtime/v0.100.4
    ['v1.5.5', `+http-timeout +override-manager`],
    // main.go at v1.6.3; fluxcd/pkg cache/v0.14.0, runtime/v0.110.1
    ['v1.6.3', ``],
  ]),
  'notification-controller': versions([
    // main.go at v1.6.0; fluxcd/pkg cache/v0.9.0, runtime/v0.60.0
    [
      'v1.6.0',
      `
      concurrent enable-leader-election events-addr export-http-path-metrics feature-gates health-addr
      kube-api-burst kube-api-qps leader-election-lease-duration leader-election-release-on-cancel
      leader-election-renew-deadline leader-election-retry-period log-encoding log-level
      max-retry-delay metrics-addr min-retry-delay no-cross-namespace-refs rate-limit-interval
      receiverAddr token-cache-max-duration token-cache-max-size watch-all-namespaces
    `,
    ],
    // main.go at v1.7.5; fluxcd/pkg cache/v0.12.0, runtime/v0.91.0
    ['v1.7.5', `+default-service-account`],
    // main.go at v1.8.4; fluxcd/pkg cache/v0.13.0, runtime/v0.100.4
    ['v1.8.4', ``],
    // main.go at v1.9.2; fluxcd/pkg cache/v0.14.0, runtime/v0.110.1
    ['v1.9.2', ``],
    // main.go at v1.9.3; fluxcd/pkg cache/v0.14.0, runtime/v0.110.1
    ['v1.9.3', ``],
  ]),
};

/** The flags `component` at `version` accepts, or undefined when this table does not know that version. */
export function acceptedFlags(component: string, version: string): readonly string[] | undefined {
  return CONTROLLER_FLAGS[component]?.[version];
}
