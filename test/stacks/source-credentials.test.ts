import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings, SourceSettings } from '../../settings';
import '../support/manifests';
import { manifestsOf, synthStack } from '../support/synth';

async function sync(sources: SourceSettings[], settings: Partial<EnvironmentSettings> = {}) {
  const { sync } = await addFluxEnvironment(Testing.app(), { name: 'dev', ...settings, sources });
  return synthStack(sync);
}

const secretNameOf = (address: string) => `\${kubernetes_secret_v1.${address}.metadata[0].name}`;

describe('the credentials the sync stack makes for a source', () => {
  test('a token: the sensitive variable source_<name>_token into <name>-credentials, never its value', async () => {
    const stack = await sync([
      { type: 'git', name: 'team-docs', url: 'https://github.com/my-org/docs', credentials: { type: 'token' } },
    ]);
    assert.deepEqual(stack.variable?.source_team_docs_token, {
      type: 'string',
      sensitive: true,
      description: 'Token Flux reads the source team-docs with; set TF_VAR_source_team_docs_token',
    });
    const [secret] = Object.values(stack.resource.kubernetes_secret_v1) as any[];
    assert.deepEqual(secret.metadata, { name: 'team-docs-credentials', namespace: 'flux-system' });
    assert.deepEqual(secret.data, { username: 'git', password: '${var.source_team_docs_token}' });
    // By reference: the GitRepository is applied after its Secret.
    const repository = manifestsOf(stack)['gitrepository_flux-system_team-docs'];
    assert.deepEqual(repository.spec.secretRef, { name: secretNameOf('source-team-docs-credentials_secret_30EFA2CE') });
    assert.doesNotMatch(JSON.stringify(stack), /ghp_|password": "[^$]/);
  });

  test('an OCI registry login: a docker-registry Secret for the registry host, built from the variable', async () => {
    const stack = await sync([
      {
        type: 'oci',
        name: 'policies',
        url: 'oci://registry.example.com:5000/my-org/policies',
        credentials: { type: 'token', username: 'ci-bot' },
      },
    ]);
    const [secret] = Object.values(stack.resource.kubernetes_secret_v1) as any[];
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(secret.metadata, { name: 'policies-credentials', namespace: 'flux-system' });
    assert.equal(
      secret.data['.dockerconfigjson'],
      '${jsonencode({"auths" = {"registry.example.com:5000" = {"username" = "ci-bot", "password" = ' +
        'var.source_policies_token, "auth" = base64encode("ci-bot:${var.source_policies_token}")}}})}',
    );
    assert.deepEqual(manifestsOf(stack)['ocirepository_flux-system_policies'].spec.secretRef, {
      name: secretNameOf('source-policies-credentials'),
    });
  });

  test('a Helm repository: basic auth from the variable; over OCI, a registry login', async () => {
    const stack = await sync([
      {
        type: 'helm',
        name: 'charts',
        url: 'https://charts.example.com',
        credentials: { type: 'token', username: 'reader' },
      },
      { type: 'helm', name: 'oci-charts', url: 'oci://registry.example.com/charts', interval: '5m' },
    ]);
    const secrets = Object.values(stack.resource.kubernetes_secret_v1) as any[];
    assert.deepEqual(
      secrets.map((s) => [s.metadata.name, s.type, s.data]),
      [['charts-credentials', undefined, { username: 'reader', password: '${var.source_charts_token}' }]],
    );
    const objects = manifestsOf(stack);
    assert.deepEqual(objects['helmrepository_flux-system_charts'].spec, {
      url: 'https://charts.example.com',
      interval: '1m0s',
      secretRef: { name: secretNameOf('source-charts-credentials') },
    });
    assert.deepEqual(objects['helmrepository_flux-system_oci-charts'].spec, {
      type: 'oci',
      url: 'oci://registry.example.com/charts',
      interval: '5m',
    });
  });

  test('a bucket: the access key id as accesskey, the token variable as secretkey', async () => {
    const stack = await sync(
      [
        {
          type: 'bucket',
          name: 'manifests',
          bucketName: 'fleet',
          endpoint: 'minio.minio:9000',
          prefix: 'dev/',
          credentials: { type: 'token', username: 'AKIAFLUXREADER' },
        },
      ],
      { kustomizations: [{ name: 'apps', path: './apps', prune: true, source: 'manifests' }] },
    );
    const [secret] = Object.values(stack.resource.kubernetes_secret_v1) as any[];
    assert.deepEqual(secret.data, { accesskey: 'AKIAFLUXREADER', secretkey: '${var.source_manifests_token}' });
    assert.deepEqual(manifestsOf(stack)['bucket_flux-system_manifests'].spec, {
      interval: '1m0s',
      bucketName: 'fleet',
      endpoint: 'minio.minio:9000',
      prefix: 'dev/',
      secretRef: { name: secretNameOf('source-manifests-credentials') },
    });
    assert.deepEqual(manifestsOf(stack)['kustomization_flux-system_apps'].spec.sourceRef, {
      kind: 'Bucket',
      name: 'manifests',
    });
  });

  test('a deploy key on the git host: key pair, deploy key titled for the source, checked at plan', async () => {
    const stack = await sync([
      {
        type: 'git',
        name: 'platform',
        url: 'ssh://git@github.com/platform-team/platform.git',
        credentials: { type: 'deploy-key', algorithm: 'ED25519' },
      },
    ]);
    assert.deepEqual(stack.provider?.github, [{ alias: 'github-platform-team', owner: 'platform-team' }]);
    const [key] = Object.values(stack.resource.github_repository_deploy_key) as any[];
    assert.equal(key.title, 'Flux (dev-flux-sync, platform)');
    assert.equal(key.read_only, true);
    assert.equal(key.provider, 'github.github-platform-team');
    assert.match(key.repository, /^\$\{data\.github_repository_deploy_keys\..*\.repository\}$/);
    const [pair] = Object.values(stack.resource.tls_private_key) as any[];
    assert.equal(pair.algorithm, 'ED25519');
    const [secret] = Object.values(stack.resource.kubernetes_secret_v1) as any[];
    assert.deepEqual(secret.metadata, { name: 'platform-credentials', namespace: 'flux-system' });
    assert.deepEqual(Object.keys(secret.data), ['identity', 'identity.pub', 'known_hosts']);
    const repository = manifestsOf(stack)['gitrepository_flux-system_platform'];
    assert.match(
      repository.spec.secretRef.name,
      /^\$\{kubernetes_secret_v1\.source-platform-credentials_secret_\w+\.metadata\[0\]\.name\}$/,
    );
    const output = JSON.stringify(stack);
    assert.doesNotMatch(output, /PRIVATE KEY/);
  });

  test('refuses credentials that do not fit the source, each naming the setting and the fix', async () => {
    const cases: [SourceSettings, RegExp][] = [
      [
        { type: 'git', name: 'a', url: 'https://github.com/o/a', secretName: 'x', credentials: { type: 'token' } },
        /sources\[0\]\.secretName "x": names a Secret of yours, and credentials "token" would make another/,
      ],
      [
        { type: 'git', name: 'a', url: 'https://github.com/o/a', credentials: { type: 'deploy-key' } },
        /sources\[0\]\.url "https:\/\/github.com\/o\/a": a deploy key is for SSH to a GitHub repository/,
      ],
      [
        { type: 'git', name: 'a', url: 'ssh://git@github.com/o/a', credentials: { type: 'token' } },
        /sources\[0\]\.url "ssh:\/\/git@github.com\/o\/a": a token is sent over HTTPS/,
      ],
      [
        { type: 'helm', name: 'a', url: 'http://charts.example.com', credentials: { type: 'token', username: 'u' } },
        /sources\[0\]\.url "http:\/\/charts.example.com": would send the token in the clear over plain http/,
      ],
      [
        {
          type: 'bucket',
          name: 'a',
          bucketName: 'b',
          endpoint: 'https://s3.example.com',
          credentials: { type: 'token' },
        },
        /sources\[0\]\.endpoint "https:\/\/s3.example.com": is not an endpoint; give the host and port alone/,
      ],
      [
        { type: 'bucket', name: 'a', bucketName: 'b', endpoint: 's3.example.com', credentials: { type: 'token' } },
        /sources\[0\]\.credentials\.username: an access key needs its id, whose secret the token is for/,
      ],
      [
        { type: 'oci', name: 'a', url: 'oci://r.example.com/a', credentials: { type: 'token' } },
        /sources\[0\]\.credentials\.username: a registry login needs the user the token is for; give username/,
      ],
      [
        { type: 'git', name: 'a', url: 'ssh://git@gitlab.com/o/a', credentials: { type: 'deploy-key' } },
        /"a" url "ssh:\/\/git@gitlab.com\/o\/a": a deploy key is registered through the API of gitHost github.com/,
      ],
    ];
    for (const [source, message] of cases) await assert.rejects(() => sync([source]), { message });
    // On loopback nothing leaves the machine, as with gitHost.apiUrl.
    const local = {
      type: 'helm',
      name: 'a',
      url: 'http://127.0.0.1:8080',
      credentials: { type: 'token', username: 'u' },
    };
    await sync([local as SourceSettings]);
    await assert.rejects(
      () =>
        sync([
          { type: 'git', name: 'a-b', url: 'https://github.com/o/a', credentials: { type: 'token' } },
          { type: 'git', name: 'a.b', url: 'https://github.com/o/b', credentials: { type: 'token' } },
        ]),
      { message: /"a-b" and "a.b" would both read their token from the variable source_a_b_token; rename one/ },
    );
  });
});
