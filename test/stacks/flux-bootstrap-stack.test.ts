import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { Kustomization } from '../../constructs';
import { addFluxEnvironment } from '../../stacks';
import { dev } from '../../environments';
import { EnvironmentSettings } from '../../settings';
import { assertSnapshot } from '../support/snapshot';
import { manifestsOf, synthStack } from '../support/synth';
import '../support/manifests';

async function bootstrap(settings: EnvironmentSettings = { name: 'dev' }) {
  const { bootstrap: stack } = await addFluxEnvironment(Testing.app(), settings);
  return synthStack(stack);
}

describe('FluxBootstrapStack', () => {
  test('declares the HCL variables with the same names, types and defaults; the token is not one of them', async () => {
    const { variable } = await bootstrap();
    assert.equal(
      variable?.github_token,
      undefined,
      'a variable would put the token into every saved plan; the provider reads GITHUB_TOKEN',
    );
    assert.ok(!('default' in variable!.github_org), 'no organization of its own: the app or the plan names it');
    assert.ok(!('default' in variable!.github_repository));
    assert.equal(variable?.github_org.type, 'string');
    assert.equal(variable?.kubeconfig_path.default, '~/.kube/config');
    assert.equal(variable?.kube_context.default, '');
  });

  test("takes the repository variables' defaults from the settings: the team's dev names its own", async () => {
    const { variable } = await bootstrap(dev);
    assert.equal(variable?.github_org.default, 'mark-icy');
    assert.equal(variable?.github_repository.default, 'infra-new');
  });

  test('configures the providers from variables only', async () => {
    const { provider } = await bootstrap();
    const cluster = { config_path: '${var.kubeconfig_path}', config_context: '${var.kube_context}' };
    assert.deepEqual(provider?.kubernetes, [
      cluster,
      { ...cluster, alias: 'client_2' },
      { ...cluster, alias: 'client_3' },
      { ...cluster, alias: 'client_4' },
    ]);
    assert.deepEqual(provider?.github, [{ owner: '${var.github_org}' }]);
    assert.deepEqual(provider?.tls, [{}]);
  });

  test('installs Flux v2.9.4 and the git access of the HCL it replaces', async () => {
    const synthesized = await bootstrap();
    assert.equal(Object.keys(manifestsOf(synthesized)).length, 32);
    const key = Object.values(synthesized.resource.tls_private_key)[0];
    assert.deepEqual([key.algorithm, key.ecdsa_curve], ['ECDSA', 'P256']);
    const deployKey = Object.values(synthesized.resource.github_repository_deploy_key)[0];
    assert.deepEqual([deployKey.title, deployKey.read_only], ['Flux (dev-flux-bootstrap)', true]);
    const secret = Object.values(synthesized.resource.kubernetes_secret_v1)[0];
    assert.deepEqual(secret.depends_on, ['kubernetes_manifest.namespace_flux-system']);
  });

  test('uses HTTPS token auth without a deploy key when asked', async () => {
    const synthesized = await bootstrap({ name: 'dev', gitAuth: { type: 'https-token' } });
    assert.equal(synthesized.resource.github_repository_deploy_key, undefined);
    assert.equal(synthesized.provider?.github, undefined);
    assert.equal(synthesized.variable?.github_token.sensitive, true);
    const secret = Object.values(synthesized.resource.kubernetes_secret_v1)[0] as Record<string, any>;
    assert.deepEqual(secret.data, { username: 'git', password: '${var.github_token}' });
  });

  test('authenticates as a GitHub App: ids in the Secret, key from a sensitive variable, no deploy key', async () => {
    const synthesized = await bootstrap({
      name: 'dev',
      gitAuth: { type: 'github-app', appId: 123456, installationId: 42 },
    });
    assert.equal(synthesized.resource.github_repository_deploy_key, undefined);
    assert.equal(synthesized.resource.tls_private_key, undefined);
    assert.equal(synthesized.provider?.github, undefined, 'no GitHub token is needed');
    assert.equal(synthesized.variable?.github_token, undefined);
    assert.equal(synthesized.variable?.github_app_private_key.sensitive, true);
    const secret = Object.values(synthesized.resource.kubernetes_secret_v1)[0] as Record<string, any>;
    assert.deepEqual(secret.data, {
      githubAppID: '123456',
      githubAppInstallationID: '42',
      githubAppPrivateKey: '${var.github_app_private_key}',
    });
    assert.equal(
      synthesized.output?.repository_url.value,
      'https://github.com/${var.github_org}/${var.github_repository}',
    );
  });

  test("gives a GitHub Enterprise Server's API to a GitHub App, under /api/v3", async () => {
    const synthesized = await bootstrap({
      name: 'dev',
      gitHost: { hostname: 'github.example.com', apiUrl: 'https://github.example.com/' },
      gitAuth: { type: 'github-app', appId: 1, installationId: 2 },
    });
    const secret = Object.values(synthesized.resource.kubernetes_secret_v1)[0] as Record<string, any>;
    assert.equal(secret.data.githubAppBaseURL, 'https://github.example.com/api/v3/');
  });

  test("gives a git host's port and private CA to the https auth types", async () => {
    const caCert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const gitHost = { hostname: 'git.example.com', httpsPort: 8443, caCert };
    for (const gitAuth of [{ type: 'github-app', appId: 1, installationId: 2 }, { type: 'https-token' }] as const) {
      const synthesized = await bootstrap({ name: 'dev', gitHost, gitAuth });
      assert.equal(
        synthesized.output?.repository_url.value,
        'https://git.example.com:8443/${var.github_org}/${var.github_repository}',
      );
      const secret = Object.values(synthesized.resource.kubernetes_secret_v1)[0] as Record<string, any>;
      assert.equal(secret.data['ca.crt'], caCert, gitAuth.type);
    }
  });

  test("uses an existing Secret with a GitHub App's keys without creating anything", async () => {
    const synthesized = await bootstrap({
      name: 'dev',
      gitAuth: { type: 'github-app', secretName: 'flux-github-app' },
    });
    assert.equal(synthesized.resource.kubernetes_secret_v1, undefined);
    assert.equal(synthesized.variable?.github_app_private_key, undefined);
    assert.deepEqual(Object.keys(synthesized.resource), ['kubernetes_manifest']);
  });

  test('uses an existing secret without creating one or asking for a token', async () => {
    const synthesized = await bootstrap({
      name: 'dev',
      gitAuth: { type: 'existing-secret', secretName: 'git-credentials' },
    });
    assert.equal(synthesized.resource.kubernetes_secret_v1, undefined);
    assert.equal(synthesized.variable?.github_token, undefined);
    assert.deepEqual(Object.keys(synthesized.resource), ['kubernetes_manifest']);
  });

  test("lists the repository's deploy keys at plan time: a token GitHub refuses stops the run first", async () => {
    const synthesized = (await bootstrap()) as unknown as {
      data: Record<string, Record<string, any>>;
      resource: Record<string, Record<string, any>>;
    };
    const [name, check] = Object.entries(synthesized.data.github_repository_deploy_keys)[0];
    assert.equal(check.repository, '${var.github_repository}');
    const deployKey = Object.values(synthesized.resource.github_repository_deploy_key)[0];
    assert.equal(
      deployKey.repository,
      `\${data.github_repository_deploy_keys.${name}.repository}`,
      'the deploy key waits for the check',
    );
  });

  test('fails at plan, naming the variable and the path, when the kubeconfig does not exist', async () => {
    const { variable } = await bootstrap();
    assert.deepEqual(variable?.kubeconfig_path.validation, [
      {
        condition: '${fileexists(pathexpand(var.kubeconfig_path))}',
        error_message:
          'kubeconfig_path: there is no kubeconfig at "${var.kubeconfig_path}"; set TF_VAR_kubeconfig_path (or ' +
          "-var kubeconfig_path=...) to the cluster's kubeconfig file",
      },
    ]);
  });

  test('points Flux at another git host, with its known_hosts and its API', async () => {
    const gitHost = {
      hostname: 'git.example.com',
      sshPort: 2222,
      knownHosts:
        '[git.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
      apiUrl: 'https://git.example.com/',
    };
    const { bootstrap: b, sync: s } = await addFluxEnvironment(Testing.app(), { name: 'dev', gitHost });
    const [boot, sync] = [synthStack(b), synthStack(s)];
    assert.deepEqual(boot.provider?.github, [{ owner: '${var.github_org}', base_url: 'https://git.example.com/' }]);
    const secret = Object.values(boot.resource.kubernetes_secret_v1)[0] as Record<string, any>;
    assert.equal(secret.data.known_hosts, gitHost.knownHosts);
    assert.equal(
      boot.output?.repository_url.value,
      'ssh://git@git.example.com:2222/${var.github_org}/${var.github_repository}',
    );
    assert.equal(
      manifestsOf(sync)['gitrepository_flux-system_flux-system'].spec.url,
      '${data.terraform_remote_state.bootstrap.outputs.repository_url}',
    );
  });

  test('fails if an SSH git host has no known_hosts', async () => {
    await assert.rejects(
      addFluxEnvironment(Testing.app(), { name: 'dev', gitHost: { hostname: 'git.example.com' } }),
      /environment "dev": gitHost\.knownHosts is empty for git\.example\.com; Flux refuses an SSH host it cannot verify\. Give its host keys as known_hosts lines \(ssh-keyscan git\.example\.com/,
    );
    await addFluxEnvironment(Testing.app(), {
      name: 'dev',
      gitHost: { hostname: 'git.example.com' },
      gitAuth: { type: 'https-token' },
    });
  });

  test('fails if a Flux object is added to it, since its CRDs do not exist when it is first planned', async () => {
    const { bootstrap: stack, sync } = await addFluxEnvironment(Testing.app(), { name: 'dev' });
    assert.throws(() => new Kustomization(stack, 'monitoring', { sourceRef: sync.source, prune: true }), {
      message:
        'dev-flux-bootstrap/monitoring: Kustomization flux-system/monitoring is in stack dev-flux-bootstrap, which ' +
        "installs Flux's CRDs (dev-flux-bootstrap/flux); its kubernetes_manifest needs the Kustomization CRD at plan " +
        'time, so the first plan of dev-flux-bootstrap would fail. Add it to the sync stack (the sync of ' +
        'addFluxEnvironment), which is planned once the CRDs exist',
    });
  });

  test('matches the reviewed snapshot of addresses, variables and providers', async () => {
    const synthesized = await bootstrap();
    const addresses = Object.entries(synthesized.resource).flatMap(([type, resources]) =>
      Object.entries(resources).map(([name, r]) => {
        const manifest = r.manifest as { kind: string; metadata: { name: string; namespace?: string } } | undefined;
        const object = manifest && `${manifest.kind} ${manifest.metadata.namespace ?? '-'}/${manifest.metadata.name}`;
        return `${type}.${name}${object ? ` = ${object}` : ''}`;
      }),
    );
    assertSnapshot(__dirname, 'dev-flux-bootstrap', {
      variables: Object.keys(synthesized.variable ?? {}),
      providers: synthesized.terraform.required_providers,
      addresses: addresses.sort(),
    });
  });
});
