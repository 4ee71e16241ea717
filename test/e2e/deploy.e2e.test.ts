import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { EnvironmentSettings } from '../../settings';
import { MANIFESTS_DIR } from '../support/manifests';
import { synthStack } from '../support/synth';
import { Cluster, startCluster } from './support/cluster';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { applyServerSide, BINARIES, getJson, kubectl, objectExists, stackObjects } from './support/kubectl';
import { BOTH, deployProject, DEV, REPOSITORY, succeeded as succeededIn, TOKEN } from './support/deploy-project';
import { CdktfProject, CommandResult } from './support/project';
import { ProviderSetup } from './support/providers';
import { listItemFieldsNotSynthesized } from './support/list-item-defaults';

// The README's commands, run as a user runs them: `cdktf deploy`, `cdktf diff` and `cdktf destroy`
// of the app's stacks with the real cdktf CLI and OpenTofu, against a live kube-apiserver and a
// double of GitHub's REST API. The providers are the real ones where they can be installed
// (TF_CLI_CONFIG_FILE naming a mirror); here, the stand-in of test/e2e/providers, which OpenTofu
// installs from a filesystem mirror, offline, and checks exactly as it checks the real ones.

let cluster: Cluster;
let github: GitHubDouble;
let setup: ProviderSetup;
let project: CdktfProject;
let workdir: string;
let runtimeDir: string;

const uid = (kind: string, name: string, namespace?: string) =>
  getJson(cluster.kubeconfig, [kind, name, ...(namespace ? ['-n', namespace] : [])]).metadata.uid as string;
const exists = (kind: string, name: string, namespace?: string) =>
  objectExists(cluster.kubeconfig, kind, name, namespace);
const fluxCrds = () =>
  (getJson(cluster.kubeconfig, ['crd']).items as any[]).filter((c) => c.spec.group.endsWith('toolkit.fluxcd.io'));

const succeeded = (result: CommandResult, what: string) => succeededIn(result, what, workdir);

/**
 * The cdktf command failed, and OpenTofu, run again by itself (`again`), fails with `pattern`:
 * cdktf does not always print the error before it exits.
 */
async function failed(
  result: CommandResult,
  again: () => Promise<CommandResult>,
  pattern: RegExp,
  what: string,
): Promise<string> {
  assert.ok(!result.ok, `${what} succeeded, but should have failed:\n${result.output.slice(-2000)}`);
  const rerun = await again();
  assert.ok(!rerun.ok, `${what}: OpenTofu alone succeeded:\n${rerun.output.slice(-2000)}`);
  if (!pattern.test(rerun.output))
    assert.fail(`${what}: not the expected error ${pattern}; the output ends:\n${rerun.output.slice(-3000)}`);
  return rerun.output;
}

/**
 * The folders npm run review keeps its plan in while it runs, in the runtime directory this suite
 * gives it: /dev/shm and the temporary directory are shared with whatever else runs on the machine.
 */
const reviewPlanFolders = () =>
  readdirSync(runtimeDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith('cdktf-flux-review-'))
    .map((e) => e.name);

/** Nothing of a deploy is left: no Flux namespace, CRD, deploy key. */
function assertNothingCreated(): void {
  assert.equal(exists('namespace', 'flux-system'), false, 'the Flux namespace was created');
  assert.deepEqual(fluxCrds(), [], 'Flux CRDs were created');
  assert.deepEqual(github.keys(REPOSITORY), [], 'a deploy key was registered');
}

describe('cdktf deploy, diff and destroy with the providers', { timeout: 1_800_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-deploy-'));
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
    runtimeDir = join(workdir, 'runtime');
    mkdirSync(runtimeDir, { mode: 0o700 });
    ({ project, setup } = await deployProject(workdir, DEV, {
      GITHUB_TOKEN: TOKEN,
      GITHUB_BASE_URL: github.url,
      TF_VAR_kubeconfig_path: cluster.kubeconfig,
      XDG_RUNTIME_DIR: runtimeDir,
    }));
  });
  after(async () => {
    await cluster?.stop();
    await github?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  test(
    'offline, fails at `providers lock` without --skip-provider-lock, before creating anything',
    { skip: process.env.CDKTF_FLUX_E2E_PROVIDERS === 'registry' },
    async () => {
      const result = await project.use([DEV]).cdktf(['deploy', '--auto-approve', 'dev-flux-bootstrap']);
      const lock = () => project.tofu('dev-flux-bootstrap', ['providers', 'lock', '-platform=linux_amd64']);
      await failed(
        result,
        lock,
        /Failed to (install|query|resolve|retrieve) provider|could not connect|no such host/i,
        'deploy without --skip-provider-lock',
      );
      assertNothingCreated();
    },
  );

  test('stops at plan, naming the variable and the path, when the kubeconfig does not exist', async () => {
    const env = { TF_VAR_kubeconfig_path: '/nonexistent/kubeconfig' };
    const result = await project.use([DEV]).deploy(['dev-flux-bootstrap'], env);
    await failed(
      result,
      () => project.tofu('dev-flux-bootstrap', ['plan'], env),
      /kubeconfig_path: there is no kubeconfig at\s+"\/nonexistent\/kubeconfig"/,
      'deploy with a missing kubeconfig',
    );
    assertNothingCreated();
  });

  test('stops at plan when GitHub refuses the token: nothing created, no key registered', async () => {
    const env = { GITHUB_TOKEN: 'ghp_wrongToken' };
    const result = await project.use([DEV]).deploy(['dev-flux-bootstrap'], env);
    const output = await failed(
      result,
      () => project.tofu('dev-flux-bootstrap', ['plan'], env),
      /401 Bad credentials/,
      'deploy with a wrong token',
    );
    assert.doesNotMatch(result.output + output, /ghp_wrongToken/, 'the token is printed');
    assertNothingCreated();
  });

  test('cannot plan the sync stack before the bootstrap stack is deployed', async () => {
    const result = await project.use([DEV]).deploy(['dev-flux-sync']);
    await failed(
      result,
      () => project.tofu('dev-flux-sync', ['plan']),
      // It reads the repository from the bootstrap stack's state, which does not exist yet.
      /data\.terraform_remote_state\.bootstrap: Unable to read remote state[\s\S]*No stored state was found/,
      'sync before bootstrap',
    );
    assert.equal(exists('namespace', 'flux-system'), false);
  });

  test('deploys v2.8.8 to a fresh cluster, then a second diff of each stack shows no change', async () => {
    succeeded(
      await project.use([{ ...DEV, fluxVersion: 'v2.8.8' }]).deploy(BOTH),
      'first deploy of both stacks (v2.8.8)',
    );
    const [key] = github.keys(REPOSITORY);
    assert.equal(key.read_only, true);
    const secret = getJson(cluster.kubeconfig, ['secret', 'flux-system', '-n', 'flux-system']);
    const identityPub = Buffer.from(secret.data['identity.pub'], 'base64').toString().trim();
    assert.equal(identityPub.split(' ').slice(0, 2).join(' '), key.key, 'the Secret holds the key GitHub received');
    assert.match(Buffer.from(secret.data.known_hosts, 'base64').toString(), /^github\.com ssh-ed25519 /);
    assert.equal(getJson(cluster.kubeconfig, ['kustomizations', '-n', 'flux-system']).items.length, 4);
    for (const stack of BOTH)
      assert.match(succeeded(await project.diff(stack), `no-op diff of ${stack}`).output, /No changes/);
  });

  test('npm run review of a deployed stack says there is nothing to review, and leaves no plan behind', async () => {
    // Watched, to see the review made its folder where it was told to, then removed it.
    const made: string[] = [];
    const watcher = watch(runtimeDir, (_, name) => name && made.push(name));
    const bootstrap = succeeded(await project.review('dev-flux-bootstrap'), 'no-op review of the bootstrap');
    assert.equal(
      bootstrap.output,
      '### `dev-flux-bootstrap`: 0 to create, 0 to update, 0 to replace, 0 to delete\n\nNo changes.\n',
    );
    // No Flux controller runs in this suite: the review warns that nothing is synced, beside the plan.
    const sync = await project.review('dev-flux-sync');
    assert.equal(sync.code, 2, sync.output);
    assert.match(sync.output, /0 to create, 0 to update, 0 to replace, 0 to delete/);
    assert.match(
      sync.output,
      /⚠️ 5 objects: not synced on the cluster: Flux has not reported on it yet .*GitRepository flux-system\/flux-system/,
    );
    assert.match(sync.output, /No changes\./);
    watcher.close();
    assert.ok(
      made.some((name) => name.startsWith('cdktf-flux-review-')),
      `no plan folder in XDG_RUNTIME_DIR: ${made}`,
    );
    assert.deepEqual(reviewPlanFolders(), [], 'a plan folder was left behind');
  });

  test("caches providers in the run's own plugin cache, never in the machine's shared one", () => {
    // cdktf would otherwise set ~/.terraform.d/plugin-cache, where the stand-in, which has the real
    // providers' addresses and versions, would replace them for every other project.
    const cached = readdirSync(setup.env.TF_PLUGIN_CACHE_DIR, { recursive: true }).map(String);
    assert.ok(
      cached.some((p) => p.endsWith(join('hashicorp', 'kubernetes', '2.38.0', 'linux_amd64'))),
      `kubernetes 2.38.0 is not in the run's plugin cache: ${cached.join(', ')}`,
    );
  });

  test('every synthesized stack passes validate with the providers installed', async () => {
    for (const stack of BOTH) succeeded(await project.tofu(stack, ['validate']), `validate of ${stack}`);
  });

  test('upgrades v2.8.8 to v2.9.4 in place: the same uids, every object at the new version', async () => {
    const before = {
      namespace: uid('namespace', 'flux-system'),
      crd: uid('crd', 'kustomizations.kustomize.toolkit.fluxcd.io'),
      deployment: uid('deployment', 'source-controller', 'flux-system'),
    };
    const keys = github.keys(REPOSITORY);
    succeeded(await project.use([DEV]).deploy(BOTH), 'upgrade deploy to v2.9.4');
    assert.deepEqual(
      {
        namespace: uid('namespace', 'flux-system'),
        crd: uid('crd', 'kustomizations.kustomize.toolkit.fluxcd.io'),
        deployment: uid('deployment', 'source-controller', 'flux-system'),
      },
      before,
    );
    assert.deepEqual(github.keys(REPOSITORY), keys, 'the deploy key is kept');
    const labelled = getJson(cluster.kubeconfig, [
      'namespace,deployment,service,crd,networkpolicy,serviceaccount,clusterrole,clusterrolebinding,resourcequota',
      '-A',
      '-l',
      'app.kubernetes.io/part-of=flux',
    ]).items as any[];
    assert.equal(labelled.length, 32);
    assert.deepEqual([...new Set(labelled.map((o) => o.metadata.labels['app.kubernetes.io/version']))], ['v2.9.4']);
    const quota = getJson(cluster.kubeconfig, ['resourcequota', 'critical-pods-flux-system', '-n', 'flux-system']);
    assert.equal(quota.spec.hard.pods, '1k', 'stored as synthesized');
  });

  test('restores drift another field manager made, in a Deployment and a Kustomization', async () => {
    const args = getJson(cluster.kubeconfig, ['deployment', 'source-controller', '-n', 'flux-system']).spec.template
      .spec.containers[0].args as string[];
    const logLevel = args.indexOf('--log-level=info');
    kubectl(cluster.kubeconfig, [
      'patch',
      'deployment',
      'source-controller',
      '-n',
      'flux-system',
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'replace', path: `/spec/template/spec/containers/0/args/${logLevel}`, value: '--log-level=debug' },
      ]),
    ]);
    kubectl(cluster.kubeconfig, [
      'patch',
      'kustomization',
      'apps',
      '-n',
      'flux-system',
      '--type=merge',
      '-p',
      '{"spec":{"interval":"5h"}}',
    ]);
    assert.match(
      succeeded(await project.diff('dev-flux-bootstrap'), 'diff after drift').output,
      /"--log-level=debug" -> "--log-level=info"|--log-level=debug/,
    );
    assert.match(succeeded(await project.diff('dev-flux-sync'), 'diff after drift').output, /"5h" -> "1h"/);
    // The review shows it too: a plan with changes goes through show -json to the summary.
    const review = await project.review('dev-flux-sync'); // exit 2: nothing is synced without controllers
    assert.match(review.output, /0 to create, 1 to update, 0 to replace, 0 to delete/);
    assert.match(review.output, /\| update \| Kustomization flux-system\/apps \|.*interval.*5h.*1h/);
    succeeded(await project.deploy(BOTH), 'deploy restoring drift');
    const deployment = getJson(cluster.kubeconfig, [
      'deployment',
      'source-controller',
      '-n',
      'flux-system',
      '--show-managed-fields',
    ]);
    assert.equal(deployment.spec.template.spec.containers[0].args[logLevel], '--log-level=info');
    const owners = (deployment.metadata.managedFields as any[])
      .filter((f) => JSON.stringify(f.fieldsV1).includes('"f:args"'))
      .map((f) => f.manager);
    assert.deepEqual(owners, ['Terraform']);
    assert.equal(getJson(cluster.kubeconfig, ['kustomization', 'apps', '-n', 'flux-system']).spec.interval, '1h');
    for (const stack of BOTH)
      assert.match(succeeded(await project.diff(stack), `diff after restore of ${stack}`).output, /No changes/);
  });

  test('a customised install deploys as patched, reviewed as field changes; a patched flag is restored', async () => {
    const customised: EnvironmentSettings = {
      ...DEV,
      install: {
        controllers: {
          'kustomize-controller': {
            flags: { requeueDependency: '5s' },
            serviceAccountAnnotations: { 'iam.gke.io/gcp-service-account': 'flux@p.iam.gserviceaccount.com' },
            resources: { limits: { memory: '2Gi' } },
          },
        },
        patches: [
          {
            // A strategic merge patch: the container and its env merged by name, as kustomize does.
            patch: {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name: 'source-controller', namespace: 'flux-system' },
              spec: {
                template: {
                  spec: {
                    // Each list gains an item in front of the ones Flux ships, as kustomize
                    // orders them, and loses it again at the end of the test.
                    containers: [
                      {
                        name: 'manager',
                        env: [{ name: 'HTTPS_PROXY', value: 'http://proxy:3128' }],
                        volumeMounts: [{ name: 'proxy-ca', mountPath: '/etc/proxy-ca', readOnly: true }],
                      },
                    ],
                    volumes: [{ name: 'proxy-ca', configMap: { name: 'proxy-ca', optional: true } }],
                  },
                },
              },
            },
          },
        ],
      },
    };
    succeeded(await project.use([DEV]).npmDeploy(['dev-flux-bootstrap']), 'deploy of the install as Flux ships it');
    succeeded(await project.use([customised]).app(), 'synth of the customised install');
    const review = await project.review('dev-flux-bootstrap');
    assert.match(review.output, /--requeue-dependency=5s/, `the review does not show the flag:\n${review.output}`);
    assert.match(review.output, /iam\.gke\.io\/gcp-service-account/);
    succeeded(await project.use([customised]).npmDeploy(['dev-flux-bootstrap']), 'deploy of the customised install');
    const deployment = () => getJson(cluster.kubeconfig, ['deployment', 'kustomize-controller', '-n', 'flux-system']);
    const container = () => deployment().spec.template.spec.containers[0];
    assert.ok(container().args.includes('--requeue-dependency=5s'), container().args.join(' '));
    assert.equal(container().resources.limits.memory, '2Gi');
    assert.equal(
      getJson(cluster.kubeconfig, ['serviceaccount', 'kustomize-controller', '-n', 'flux-system']).metadata.annotations[
        'iam.gke.io/gcp-service-account'
      ],
      'flux@p.iam.gserviceaccount.com',
    );
    const source = getJson(cluster.kubeconfig, ['deployment', 'source-controller', '-n', 'flux-system']);
    const env = source.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    assert.equal(env.find((e) => e.name === 'HTTPS_PROXY')?.value, 'http://proxy:3128');
    assert.ok(
      env.some((e) => e.name === 'RUNTIME_NAMESPACE'),
      "the manifests' own env is kept",
    );
    assert.deepEqual(
      source.spec.template.spec.volumes.map((v: { name: string }) => v.name),
      ['proxy-ca', 'data', 'tmp'],
    );
    // Another manager takes the flag back out.
    const index = (container().args as string[]).indexOf('--requeue-dependency=5s');
    kubectl(cluster.kubeconfig, [
      'patch',
      'deployment',
      'kustomize-controller',
      '-n',
      'flux-system',
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'replace', path: `/spec/template/spec/containers/0/args/${index}`, value: '--requeue-dependency=30s' },
      ]),
    ]);
    assert.match(
      succeeded(await project.diff('dev-flux-bootstrap'), 'diff after drift in a patched flag').output,
      /--requeue-dependency=5s/,
    );
    succeeded(await project.use([customised]).npmDeploy(['dev-flux-bootstrap']), 'deploy restoring the patched flag');
    assert.equal(container().args[index], '--requeue-dependency=5s');
    assert.match(succeeded(await project.diff('dev-flux-bootstrap'), 'diff after the restore').output, /No changes/);
    // Back to the install without customisation.
    // The items Flux ships move back to the front: none may carry a default of the removed ones.
    succeeded(await project.use([DEV]).npmDeploy(['dev-flux-bootstrap']), 'deploy without the customisation');
    assert.ok(!container().args.includes('--requeue-dependency=5s'));
    const restored = getJson(cluster.kubeconfig, ['deployment', 'source-controller', '-n', 'flux-system']).spec.template
      .spec;
    assert.deepEqual(
      restored.volumes.map((v: object) => Object.keys(v).sort()),
      [
        ['emptyDir', 'name'],
        ['emptyDir', 'name'],
      ],
    );
    assert.ok(!restored.containers[0].env.some((e: { name: string }) => e.name === 'HTTPS_PROXY'));
  });

  // The stand-in must fail wherever the provider would: objects sent as written, bypassing the
  // constructs' escaping, canonical quantities and forced conflicts.
  const probe = (data: Record<string, string>) => ({
    manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'flux-system' }, data },
  });

  test('refuses literal template text that is not escaped, at plan', async () => {
    const result = await project.use([DEV], [probe({ doc: 'e.g. ${var:=default}' })]).deploy(['dev-flux-sync']);
    await failed(
      result,
      () => project.tofu('dev-flux-sync', ['plan']),
      /Extra characters after interpolation expression/,
      'unescaped template text',
    );
    assert.equal(exists('configmap', 'probe', 'flux-system'), false);
  });

  test('fails the apply, as the provider does, when the API server stores another value than planned', async () => {
    const quota = {
      manifest: {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'probe', namespace: 'flux-system' },
        spec: { hard: { pods: '1000' } },
      },
      forceConflicts: true,
    };
    // Applied by OpenTofu itself: when cdktf stops on the error, whether the object was recorded
    // (tainted) in state or not depends on timing, and so would a second apply's error.
    succeeded(await project.use([DEV], [quota]).cdktf(['synth']), 'synth with the quota');
    const apply = await project.tofu('dev-flux-sync', ['apply', '-auto-approve']);
    assert.equal(apply.ok, false, apply.output);
    assert.match(apply.output, /Provider produced inconsistent result after apply/);
    assert.match(apply.output, /cty\.StringVal\("1000"\)[\s\S]*cty\.StringVal\("1k"\)/);
    assert.equal(
      exists('resourcequota', 'probe', 'flux-system'),
      true,
      'applied, then found inconsistent: tainted in state, as with the provider',
    );
  });

  test('applies with force-conflicts only where the resource asks for it', async () => {
    succeeded(
      await project.use([DEV], [probe({ owner: 'terraform' })]).deploy(['dev-flux-sync']),
      'deploy of a ConfigMap without force_conflicts',
    );
    kubectl(cluster.kubeconfig, [
      'patch',
      'configmap',
      'probe',
      '-n',
      'flux-system',
      '--type=merge',
      '-p',
      '{"data":{"owner":"someone-else"}}',
    ]);
    const result = await project.use([DEV], [probe({ owner: 'terraform' })]).deploy(['dev-flux-sync']);
    await failed(
      result,
      () => project.tofu('dev-flux-sync', ['apply', '-auto-approve']),
      /There was a field manager conflict[\s\S]*conflict with \\?"kubectl-patch\\?"/,
      'drift without force_conflicts',
    );
    succeeded(
      await project.use([DEV], [{ ...probe({ owner: 'terraform' }), forceConflicts: true }]).deploy(['dev-flux-sync']),
      'the same with force_conflicts',
    );
    assert.equal(getJson(cluster.kubeconfig, ['configmap', 'probe', '-n', 'flux-system']).data.owner, 'terraform');
    succeeded(await project.use([DEV]).deploy(['dev-flux-sync']), 'deploy without the probe');
    assert.equal(exists('configmap', 'probe', 'flux-system'), false);
    assert.equal(
      exists('resourcequota', 'probe', 'flux-system'),
      false,
      'the tainted object went with its configuration',
    );
  });

  test('reads back every object of every other Flux version we ship as planned', async () => {
    for (const [fluxVersion, directory] of [
      ['v2.6.4', 'v2.6.4'],
      ['v2.7.5', 'v2.7.5'],
      ['v2.9.3', 'v2.9.3'],
      ['v2.9.3', 'v2.9.3-image-automation'],
      ['v2.9.4', 'v2.9.4-image-automation'],
      ['v2.9.4', 'v2.9.4'],
    ]) {
      const settings: EnvironmentSettings = {
        ...DEV,
        fluxVersion,
        manifestsPath: join(MANIFESTS_DIR, directory, 'gotk-components.yaml'),
      };
      succeeded(await project.use([settings]).deploy(['dev-flux-bootstrap']), `deploy of ${directory}`);
      const { bootstrap } = await addFluxEnvironment(Testing.app(), settings);
      for (const object of stackObjects(synthStack(bootstrap)).flat()) {
        if (object.kind !== 'Deployment' && object.kind !== 'Service') continue;
        const live = getJson(cluster.kubeconfig, [object.kind, object.metadata.name, '-n', 'flux-system']);
        assert.deepEqual(
          listItemFieldsNotSynthesized(object, live),
          [],
          `${directory}: ${object.kind} ${object.metadata.name} has list-item fields the API server defaulted ` +
            'and the synthesized object does not set',
        );
      }
    }
    assert.equal(
      exists('deployment', 'image-automation-controller', 'flux-system'),
      false,
      'the image automation controllers went with the component set',
    );
  });

  test('destroys the sync stack, then the bootstrap stack, leaving no CRD, namespace or deploy key', async () => {
    const start = Date.now();
    succeeded(await project.use([DEV]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
    succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
    assertNothingCreated();
    assert.equal(getJson(cluster.kubeconfig, ['clusterroles', '-l', 'app.kubernetes.io/part-of=flux']).items.length, 0);
    console.log(`# destroy of both stacks: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  });

  test(
    'adopts a cluster set up by flux bootstrap: imported, updated in place, nothing recreated or ' + 'deleted',
    async () => {
      const { bootstrap, sync } = await addFluxEnvironment(Testing.app(), { ...DEV, fluxVersion: 'v2.8.8' });
      const waves = [...stackObjects(synthStack(bootstrap)), ...stackObjects(synthStack(sync), synthStack(bootstrap))];
      for (const wave of waves) {
        applyServerSide(cluster.kubeconfig, wave, { fieldManager: 'kustomize-controller' });
        if (wave.some((o) => o.kind === 'CustomResourceDefinition'))
          kubectl(cluster.kubeconfig, [
            'wait',
            '--for=condition=Established',
            '--timeout=60s',
            ...wave.map((o) => `crd/${o.metadata.name}`),
          ]);
      }
      kubectl(cluster.kubeconfig, [
        'create',
        'secret',
        'generic',
        'flux-system',
        '-n',
        'flux-system',
        '--from-literal=identity=old',
      ]);
      const inventory = () =>
        Object.fromEntries(
          (
            getJson(cluster.kubeconfig, [
              'namespace,deployment,service,serviceaccount,crd,networkpolicy,secret,gitrepository,kustomization',
              '-A',
            ]).items as any[]
          )
            .filter(
              (o) =>
                o.metadata.labels?.['app.kubernetes.io/part-of'] === 'flux' || o.metadata.namespace === 'flux-system',
            )
            .map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]),
        );
      const before = inventory();
      // As the README says: adopt at the version the cluster runs, upgrade in a later deploy. (The
      // real kubernetes provider fails an adoption that also drops a CRD's served version.)
      const adopting = { ...DEV, adopt: true, fluxVersion: 'v2.8.8' };
      const result = succeeded(await project.use([adopting]).deploy(BOTH), 'adopting deploy');
      assert.match(result.output, /imported/);
      assert.deepEqual(inventory(), before, 'same objects, same uids');
      const [key] = github.keys(REPOSITORY);
      const secret = getJson(cluster.kubeconfig, ['secret', 'flux-system', '-n', 'flux-system']);
      assert.equal(
        Buffer.from(secret.data['identity.pub'], 'base64').toString().trim().split(' ').slice(0, 2).join(' '),
        key.key,
        'the adopted Secret now holds the new key',
      );
      for (const stack of BOTH)
        assert.match(
          succeeded(await project.use([adopting]).diff(stack), `diff after adoption of ${stack}`).output,
          /No changes/,
        );
      succeeded(await project.use([{ ...DEV, adopt: true }]).deploy(BOTH), 'upgrade after adoption');
      assert.deepEqual(inventory(), before, 'same objects, same uids after the upgrade');
      const source = getJson(cluster.kubeconfig, ['deployment', 'source-controller', '-n', 'flux-system']);
      assert.equal(source.spec.template.spec.containers[0].image, 'ghcr.io/fluxcd/source-controller:v1.9.4');
    },
  );
});
