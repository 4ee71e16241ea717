import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EnvironmentSettings } from '../../settings';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { Cluster, startCluster } from './support/cluster';
import { BOTH, deployProject, REPOSITORY, succeeded as succeededIn, TOKEN } from './support/deploy-project';
import { FluxKubelet, startFluxKubelet } from './support/flux-kubelet';
import { GitHttpsServer, startGitHttpsServer } from './support/git-https-server';
import { FixtureRepository, TEAM_LAYOUT } from './support/git-server';
import { BINARIES, getJson, requestReconcile } from './support/kubectl';
import { CdktfProject } from './support/project';
import { until } from './support/until';

// GitHub App authentication end to end: the stacks write the App's ids and key into the Secret,
// real source-controller signs a JWT with the key, the GitHub double mints an installation token
// for it, and the HTTPS git server (git http-backend) lets that token fetch. No deploy key.

const APP = { id: 123456, installationId: 45678901 };
const KUSTOMIZATIONS = ['infra-controllers', 'infra-prereqs', 'apps', 'secrets'];

let cluster: Cluster;
let github: GitHubDouble;
let https: GitHttpsServer;
let repo: FixtureRepository;
let kubelet: FluxKubelet;
let project: CdktfProject;
let workdir: string;
let settings: EnvironmentSettings;
let privateKey: string;

const json = (args: string[]) => getJson(cluster.kubeconfig, args);
const readyOf = (object: any) => (object?.status?.conditions as any[] | undefined)?.find((c) => c.type === 'Ready');
const succeeded = (result: Parameters<typeof succeededIn>[0], what: string) => succeededIn(result, what, workdir);

describe('GitHub App authentication with real Flux controllers', { timeout: 1_200_000 }, () => {
  before(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'cdktf-flux-e2e-github-app-'));
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // As GitHub hands an App's key out: PKCS#1 PEM.
    privateKey = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    cluster = await startCluster(join(workdir, 'cluster'), BINARIES);
    github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY], apps: [{ ...APP, publicKey }] });
    repo = new FixtureRepository(join(workdir, 'git'), REPOSITORY);
    https = await startGitHttpsServer(join(workdir, 'git'), github.installationOf);
    kubelet = startFluxKubelet(cluster, 'flux-system', join(workdir, 'controllers'));
    settings = {
      name: 'dev',
      githubOrg: 'mark-icy',
      githubRepository: 'infra-new',
      gitAuth: { type: 'github-app', appId: APP.id, installationId: APP.installationId },
      gitHost: { hostname: '127.0.0.1', httpsPort: https.port, caCert: https.caCert, apiUrl: github.url },
    };
    ({ project } = await deployProject(workdir, settings, {
      TF_VAR_kubeconfig_path: cluster.kubeconfig,
      TF_VAR_github_app_private_key: privateKey,
    }));
  });
  after(async () => {
    await kubelet?.stop();
    await https?.stop();
    await cluster?.stop();
    await github?.stop();
    if (!process.env.CDKTF_FLUX_E2E_KEEP) rmSync(workdir, { recursive: true, force: true });
  });

  test('deploys with the App: an installation token fetches the repository, every Kustomization Ready', async () => {
    const head = repo.commit('the team layout', TEAM_LAYOUT);
    const start = Date.now();
    succeeded(await project.use([settings]).npmDeploy(BOTH), 'npm run deploy of both stacks with a GitHub App');
    // npm run deploy waited for every object's Ready.
    const source = json(['gitrepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(source.status?.artifact?.revision, `main@sha1:${head}`);
    assert.equal(readyOf(source)?.status, 'True');
    for (const name of KUSTOMIZATIONS)
      assert.equal(json(['kustomization', name, '-n', 'flux-system']).status?.lastAppliedRevision, `main@sha1:${head}`);
    console.log(
      `# npm run deploy start to exit, every Kustomization Ready: ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
    assert.equal(source.spec.provider, 'github');
    assert.equal(source.spec.url, `https://127.0.0.1:${https.port}/mark-icy/infra-new`);
    assert.ok(
      github.requests.includes(`POST /app/installations/${APP.installationId}/access_tokens`),
      github.requests.join('\n'),
    );
    assert.deepEqual(github.keys(REPOSITORY), [], 'no deploy key is registered');
    const secret = json(['secret', 'flux-system', '-n', 'flux-system']);
    assert.deepEqual(Object.keys(secret.data).sort(), [
      'ca.crt',
      'githubAppBaseURL',
      'githubAppID',
      'githubAppInstallationID',
      'githubAppPrivateKey',
    ]);
    // grep exits 1 when nothing matches: the key's first line is in no synthesized file.
    const grep = spawnSync('grep', ['-rlF', privateKey.split('\n')[1], join(project.dir, 'cdktf.out')]);
    assert.equal(grep.status, 1, `the private key is in the synthesized output: ${grep.stdout}`);
  });

  test('Flux v2.8.8 (source-controller v1.8.5) fetches with the App too, from nothing', async () => {
    succeeded(await project.use([settings]).destroy(['dev-flux-sync']), 'destroy of the sync stack');
    succeeded(await project.destroy(['dev-flux-bootstrap']), 'destroy of the bootstrap stack');
    await until('controllers stopped with their Deployments', () => Object.keys(kubelet.versions()).length === 0);
    const minted = github.requests.filter((r) => r.endsWith('/access_tokens')).length;
    const head = repo.commit('a commit for v2.8.8', {
      'apps/dev/config.yaml': TEAM_LAYOUT['apps/dev/config.yaml'].replace('hello', 'hallo'),
    });
    const old = { ...settings, fluxVersion: 'v2.8.8' };
    succeeded(await project.use([old]).npmDeploy(BOTH), 'npm run deploy of v2.8.8 with a GitHub App');
    assert.equal(kubelet.versions()['source-controller'], 'v1.8.5');
    const source = json(['gitrepository', 'flux-system', '-n', 'flux-system']);
    assert.equal(source.status?.artifact?.revision, `main@sha1:${head}`);
    for (const name of KUSTOMIZATIONS)
      assert.equal(json(['kustomization', name, '-n', 'flux-system']).status?.lastAppliedRevision, `main@sha1:${head}`);
    assert.ok(
      github.requests.filter((r) => r.endsWith('/access_tokens')).length > minted,
      'source-controller v1.8.5 minted no installation token',
    );
  });

  test('a suspended installation is reported by the GitRepository: its token no longer fetches', async () => {
    github.suspendInstallation(APP.installationId);
    repo.commit('a commit after the suspension', { 'apps/dev/extra.yaml': undefined });
    requestReconcile(cluster.kubeconfig, 'gitrepository', 'flux-system');
    const ready = await until('GitRepository reporting the refused fetch', () => {
      const condition = readyOf(json(['gitrepository', 'flux-system', '-n', 'flux-system']));
      return condition?.status === 'False' && condition;
    });
    console.log(`# GitRepository after the suspension: ${ready.reason}: ${ready.message}`);
    assert.match(ready.message, /401|authentication|suspended/i);
    assert.ok(https.refused.length > 0, 'the git server refused no fetch');
  });
});
