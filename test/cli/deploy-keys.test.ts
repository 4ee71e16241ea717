import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Testing } from 'cdktf';
import {
  bareKey,
  deployKeyResources,
  deployKeysToTakeOver,
  GitHubApi,
  removeOrphanedDeployKeys,
} from '../../cli/deploy-keys';
import { StackState } from '../../cli/stack-state';
import { addFluxEnvironment } from '../../stacks';
import '../support/manifests';
import { GitHubDouble, startGitHubDouble } from '../support/github-api';
import { synthRaw } from '../support/synth';

// The deploy keys npm run deploy keeps at exactly one per resource, against the GitHub double.

const TOKEN = 'ghp_unitDoubleToken';
const REPOSITORY = 'mark-icy/infra-new';
const OURS = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOurs=';
const LOST = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLost=';
const BOOTSTRAP = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFluxBootstrapKey';
const OTHER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnotherTeamKey';

let github: GitHubDouble;
let config: any;

before(async () => {
  github = await startGitHubDouble({ token: TOKEN, repositories: [REPOSITORY] });
  const { bootstrap } = await addFluxEnvironment(Testing.app(), { name: 'dev' });
  config = synthRaw(bootstrap);
});
after(() => github.stop());

const resources = () => deployKeyResources(config, { GITHUB_TOKEN: TOKEN, GITHUB_BASE_URL: github.url });

/** A bootstrap state: the key pair, the repository read, and the deploy key when `id` is given. */
function stateOf(publicKey: string, deployKey?: { id: number; title: string }): StackState {
  const [r] = resources();
  const managed = (address: string, attributes: Record<string, unknown>) => {
    const [t, n] = address.split('.');
    return { mode: 'managed' as const, type: t, name: n, instances: [{ attributes }] };
  };
  const [, dataType, dataName] = r.repositoryData!.split('.');
  return {
    resources: [
      managed(r.keyPair!, { public_key_openssh: `${publicKey} \n` }),
      { mode: 'data', type: dataType, name: dataName, instances: [{ attributes: { id: REPOSITORY } }] },
      ...(deployKey ? [managed(r.address, { id: `infra-new:${deployKey.id}`, title: deployKey.title })] : []),
    ],
  };
}

const clear = () => github.keys(REPOSITORY).forEach((k) => github.deleteKey(REPOSITORY, k.id));

describe('deploy keys no state knows', () => {
  test('finds the deploy key, its key pair, its repository read and its Secret in the synthesized stack', () => {
    const [r, ...more] = resources();
    assert.equal(more.length, 0);
    assert.match(r.address, /^github_repository_deploy_key\.git-access_deploy-key_/);
    assert.match(r.keyPair!, /^tls_private_key\.git-access_key_/);
    assert.match(r.repositoryData!, /^data\.github_repository_deploy_keys\.github-access_deploy-keys_/);
    assert.deepEqual(
      { name: r.secret!.name, namespace: r.secret!.namespace },
      { name: 'flux-system', namespace: 'flux-system' },
    );
  });

  test("reaches GitHub's API where the provider does: github.com's, or a GHES server's /api/v3", async () => {
    const seen: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      seen.push(url);
      return new Response('[]', { status: 200 });
    }) as typeof fetch;
    try {
      for (const base of ['https://api.github.com/', 'https://git.example.com/', 'https://acme.ghe.com/'])
        await deployKeyResources(config, { GITHUB_TOKEN: TOKEN, GITHUB_BASE_URL: base })[0].api.keys(REPOSITORY);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(
      seen.map((u) => u.split('repos/')[0]),
      ['https://api.github.com/', 'https://git.example.com/api/v3/', 'https://acme.ghe.com/'],
    );
  });

  test('takes over the key GitHub registered for the key pair in state (a lost answer), not another', async () => {
    clear();
    github.addKey(REPOSITORY, LOST, 'Flux (dev-flux-bootstrap)');
    const registered = github.addKey(REPOSITORY, OURS, 'Flux (dev-flux-bootstrap)');
    const [found, ...more] = await deployKeysToTakeOver(resources(), stateOf(OURS));
    assert.equal(more.length, 0);
    assert.deepEqual(
      { address: found.address, importId: found.importId },
      { address: resources()[0].address, importId: `infra-new:${registered.id}` },
    );
    assert.match(
      found.label,
      new RegExp(`deploy key ${registered.id} "Flux \\(dev-flux-bootstrap\\)" of ${REPOSITORY}`),
    );
    assert.deepEqual(await deployKeysToTakeOver(resources(), stateOf(LOST.replace('Lost', 'None'))), []);
    assert.deepEqual(
      await deployKeysToTakeOver(resources(), stateOf(OURS, { id: registered.id, title: 'x' })),
      [],
      'nothing to take over once the deploy key is in state',
    );
  });

  test('removes the keys of its title and the key the Secret held, keeping its own and the rest', async () => {
    clear();
    const title = 'Flux (dev-flux-bootstrap)';
    github.addKey(REPOSITORY, LOST, title);
    github.addKey(REPOSITORY, BOOTSTRAP, 'flux-system-main-flux-system-./clusters/dev');
    const other = github.addKey(REPOSITORY, OTHER, 'Flux (prod-flux-bootstrap)');
    const own = github.addKey(REPOSITORY, OURS, title);
    const removed = await removeOrphanedDeployKeys(resources(), stateOf(OURS, { id: own.id, title }), [
      bareKey(`${BOOTSTRAP} flux`),
    ]);
    assert.equal(removed.length, 2);
    assert.deepEqual(
      github.keys(REPOSITORY).map((k) => k.id),
      [other.id, own.id],
    );
    assert.deepEqual(
      await removeOrphanedDeployKeys(resources(), stateOf(OURS, { id: own.id, title }), []),
      [],
      'nothing more to remove',
    );
  });

  test('says what GitHub answered when it refuses, and that the token is missing', async () => {
    await assert.rejects(new GitHubApi(github.url + 'api/v3/', 'wrong').keys(REPOSITORY), /401 Bad credentials/);
    await assert.rejects(new GitHubApi(github.url + 'api/v3/', undefined).keys(REPOSITORY), /GITHUB_TOKEN is not set/);
  });
});
