import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

// A double of the part of GitHub's REST API the github provider calls for our stacks, served the
// way GitHub Enterprise Server serves it (under /api/v3): reading a repository, and listing,
// adding, reading and deleting its deploy keys. Like GitHub it answers 401 "Bad credentials" to a
// wrong token, 404 to a repository the token cannot see, and 422 to a key that is malformed or
// already in use. The SSH git server of the GitOps tests reads the keys registered here.
// For GitHub Apps it mints installation tokens as GitHub does: POST
// /app/installations/<id>/access_tokens with a JWT (RS256, `iss` the App id, at most 10 minutes
// long) signed by the App's private key; 401 for a JWT it cannot verify, 403 for an installation
// that is suspended, whose tokens stop working too. The HTTPS git server reads the tokens here.

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
  /** Whether `token` is an installation token minted here that still works, and for which installation. */
  installationOf(token: string): number | undefined;
  /** Suspends an installation, as an organisation owner would: its tokens stop working, no new ones. */
  suspendInstallation(id: number): void;
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

/** A GitHub App the double knows, installed once. */
export interface GitHubApp {
  readonly id: number;
  readonly installationId: number;
  /** The public half of the App's key, PEM. */
  readonly publicKey: string;
}

/** The App whose key signed `jwt`, or why none did, as GitHub says it. */
function verifyAppJwt(jwt: string, apps: readonly GitHubApp[]): GitHubApp | string {
  const [header, payload, signature] = jwt.split('.');
  if (!signature) return 'A JSON web token could not be decoded';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    iss?: unknown;
    iat?: number;
    exp?: number;
  };
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'RS256')
    return "'alg' must be RS256 for the JWT to be accepted";
  const app = apps.find((a) => String(a.id) === String(claims.iss));
  if (!app) return "'Issuer' claim ('iss') must be an Integer";
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(app.publicKey),
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'A JSON web token could not be decoded';
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now || claims.exp - (claims.iat ?? now) > 600)
    return (
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the " +
      'assertion expires'
    );
  return app;
}

const KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) [A-Za-z0-9+/]+=*( .*)?$/;

export async function startGitHubDouble(options: {
  token: string;
  repositories: string[];
  apps?: readonly GitHubApp[];
}): Promise<GitHubDouble> {
  const keys = new Map<string, DeployKey[]>(options.repositories.map((r) => [r, []]));
  const installationTokens = new Map<string, { installation: number; expires: number }>();
  const suspended = new Set<number>();
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
    const minting = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (minting && req.method === 'POST') {
      const app = verifyAppJwt(auth.replace(/^Bearer /, ''), options.apps ?? []);
      if (typeof app === 'string') return send(res, 401, { message: app });
      const installation = Number(minting[1]);
      if (installation !== app.installationId) return send(res, 404, { message: 'Not Found' });
      if (suspended.has(installation)) return send(res, 403, { message: 'This installation has been suspended' });
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expires = Date.now() + 3600_000;
      installationTokens.set(token, { installation, expires });
      return send(res, 201, {
        token,
        expires_at: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z'),
        permissions: { contents: 'read', metadata: 'read' },
        repository_selection: 'all',
      });
    }
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
    installationOf: (token) => {
      const minted = installationTokens.get(token);
      return minted && minted.expires > Date.now() && !suspended.has(minted.installation)
        ? minted.installation
        : undefined;
    },
    suspendInstallation: (id) => void suspended.add(id),
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
