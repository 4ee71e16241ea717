import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

// A double of the part of GitHub's REST API the github provider calls for our stacks, served the
// way GitHub Enterprise Server serves it (under /api/v3): reading a repository, and listing,
// adding, reading and deleting its deploy keys. Like GitHub it answers 401 "Bad credentials" to a
// wrong token, 404 to a repository the token cannot see, and 422 to a key that is malformed or
// already in use. The SSH git server of the GitOps tests reads the keys registered here.

export interface DeployKey {
  readonly id: number;
  readonly key: string;
  readonly title: string;
  readonly read_only: boolean;
}

export interface GitHubDouble {
  /** The base URL to give the provider (GITHUB_BASE_URL). */
  readonly url: string;
  /** Deploy keys of `owner/repo` now registered. */
  keys(fullName: string): DeployKey[];
  /** Removes a key behind Terraform's back, as a user would in GitHub's settings. */
  deleteKey(fullName: string, id: number): void;
  /** Registers a key behind Terraform's back, as a user would in GitHub's settings. */
  addKey(fullName: string, key: string, title: string): DeployKey;
  /**
   * The next `times` (default 1) requests of `method` to a path matching `path` answer 500, as
   * GitHub does in an incident: before doing anything, or, with `after`, once the request took
   * effect (the answer is lost).
   */
  failNext(fault: Fault): void;
  /** The requests served, as `<method> <path>`. */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

export interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly times?: number;
  readonly after?: boolean;
}

const KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) [A-Za-z0-9+/]+=*( .*)?$/;

export async function startGitHubDouble(options: { token: string; repositories: string[] }): Promise<GitHubDouble> {
  const keys = new Map<string, DeployKey[]>(options.repositories.map((r) => [r, []]));
  let nextId = 1000;
  const faults: { fault: Fault; left: number }[] = [];
  const requests: string[] = [];
  const reply = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const serverError = (res: ServerResponse) => reply(res, 500, { message: 'Server Error' });
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = (req.url ?? '').split('?')[0].replace(/^\/api\/v3/, '');
    requests.push(`${req.method} ${path}`);
    const active = faults.find((f) => f.left > 0 && f.fault.method === req.method && f.fault.path.test(path));
    if (active) active.left--;
    if (active && !active.fault.after) return serverError(res);
    const send = active ? (r: ServerResponse) => serverError(r) : reply;
    return serve(req, res, body, path, send);
  };
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    path: string,
    send: (res: ServerResponse, status: number, body?: unknown) => void,
  ) => {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${options.token}` && auth !== `token ${options.token}`) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const repo = /^\/repos\/([^/]+)\/([^/]+)(\/keys(?:\/(\d+))?)?$/.exec(path);
    if (!repo) return send(res, 404, { message: 'Not Found' });
    const [, owner, name, keysPath, id] = repo;
    const fullName = `${owner}/${name}`;
    const list = keys.get(fullName);
    if (!list) return send(res, 404, { message: 'Not Found' });
    if (!keysPath && req.method === 'GET') {
      return send(res, 200, {
        id: 1,
        node_id: 'R_double',
        name,
        full_name: fullName,
        private: true,
        archived: false,
        visibility: 'private',
        default_branch: 'main',
        owner: { login: owner },
        html_url: `https://github.example/${fullName}`,
        ssh_url: `git@github.example:${fullName}.git`,
        clone_url: `https://github.example/${fullName}.git`,
        git_url: `git://github.example/${fullName}.git`,
      });
    }
    if (keysPath && !id && req.method === 'GET') return send(res, 200, list);
    if (keysPath && !id && req.method === 'POST') {
      const {
        key,
        title,
        read_only: readOnly = true,
      } = JSON.parse(body || '{}') as { key?: string; title?: string; read_only?: boolean };
      const text = (key ?? '').trim();
      if (!title || !KEY.test(text))
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PublicKey',
              code: 'custom',
              field: 'key',
              message: 'key is invalid. You must supply a key in OpenSSH public key format',
            },
          ],
        });
      const bare = text.split(' ').slice(0, 2).join(' ');
      if ([...keys.values()].flat().some((k) => k.key === bare))
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is already in use' }],
        });
      const created = { id: nextId++, key: bare, title, read_only: readOnly };
      list.push(created);
      return send(res, 201, created);
    }
    const index = list.findIndex((k) => String(k.id) === id);
    if (index < 0) return send(res, 404, { message: 'Not Found' });
    if (req.method === 'GET') return send(res, 200, list[index]);
    if (req.method === 'DELETE') {
      list.splice(index, 1);
      return send(res, 204);
    }
    return send(res, 405, { message: 'Method Not Allowed' });
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    keys: (fullName) => [...(keys.get(fullName) ?? [])],
    deleteKey: (fullName, id) =>
      keys.set(
        fullName,
        (keys.get(fullName) ?? []).filter((k) => k.id !== id),
      ),
    addKey: (fullName, key, title) => {
      const added = { id: nextId++, key: key.trim().split(' ').slice(0, 2).join(' '), title, read_only: true };
      keys.get(fullName)?.push(added);
      return added;
    },
    failNext: (fault) => faults.push({ fault, left: fault.times ?? 1 }),
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
