import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';

// The repositories of a FixtureRepository's folder over HTTPS, as GitHub serves them to a GitHub
// App: git's own smart HTTP server (`git http-backend`) behind basic auth, where only the user
// `x-access-token` with an installation token the GitHub double minted and still honours may
// fetch (401 otherwise, as GitHub answers). The certificate is self-signed for 127.0.0.1, so a
// client must be given it as its CA.

export interface GitHttpsServer {
  readonly port: number;
  /** The server's certificate, PEM: the CA a client must trust. */
  readonly caCert: string;
  /** The fetches refused, as `<status> <path>`. */
  readonly refused: readonly string[];
  stop(): Promise<void>;
}

function selfSignedCertificate(dir: string): { key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', cert].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** Runs the request through `git http-backend` (CGI), `path` naming the bare repository `<owner>/<name>.git`. */
function httpBackend(root: string, req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: path,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_USER: 'x-access-token',
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    started = true;
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const [name, ...value] = line.split(': ');
      if (name.toLowerCase() === 'status') status = Number.parseInt(value.join(': '), 10);
      else headers[name] = value.join(': ');
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => res.end());
}

export async function startGitHttpsServer(
  serverDir: string,
  installationOf: (token: string) => number | undefined,
): Promise<GitHttpsServer> {
  const { key, cert } = selfSignedCertificate(join(serverDir, 'tls'));
  const refused: string[] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    const [rawPath, query = ''] = (req.url ?? '/').split('?');
    const [user, token] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    if (user !== 'x-access-token' || installationOf(token ?? '') === undefined) {
      refused.push(`401 ${rawPath}`);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"', 'Content-Type': 'text/plain' });
      return void res.end('Invalid username or token. Password authentication is not supported for Git operations.\n');
    }
    const repo = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/.*)$/.exec(rawPath);
    if (!repo) {
      res.writeHead(404);
      return void res.end();
    }
    httpBackend(join(serverDir, 'repos'), req, res, `/${repo[1]}/${repo[2]}.git${repo[3]}`, query);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caCert: cert,
    refused,
    // Go's clients keep connections open: close them, or close() waits for their idle timeout.
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
