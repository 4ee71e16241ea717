import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';

// A Helm chart repository on loopback, as source-controller fetches one: index.yaml listing each
// chart version with the sha256 of its package, and the packages (gzipped tar archives, each file
// under the chart's own folder), written here as `helm package` writes them, without Helm. With a
// login, it answers 401 to a request without that basic auth, as a private repository does.

/** A chart to package: its Chart.yaml fields, default values and templates, by file name. */
export interface Chart {
  readonly name: string;
  readonly version: string;
  readonly values: string;
  readonly templates: Record<string, string>;
}

export interface ChartRepository {
  /** `http://127.0.0.1:<port>`, the HelmRepository's url. */
  readonly url: string;
  /** The paths requested so far, in order: index.yaml and the packages. */
  readonly requests: readonly string[];
  /** The paths refused for want of the login, in order. */
  readonly refused: readonly string[];
  stop(): Promise<void>;
}

// One fixed time for every file and the index: the same chart packages to the same bytes.
const MTIME = Date.UTC(2026, 0, 1) / 1000;
const CREATED = new Date(MTIME * 1000).toISOString();

/** One ustar header and the file's content, padded to 512-byte blocks. */
function tarEntry(path: string, content: Buffer): Buffer {
  if (Buffer.byteLength(path) > 100) throw new Error(`${path}: longer than a ustar name (100 bytes)`);
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) =>
    field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, path);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, content.length);
  octal(136, 12, MTIME);
  field(148, 8, ' '.repeat(8)); // the checksum counts its own field as spaces
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const sum = header.reduce((total, byte) => total + byte, 0);
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

/** The chart's package, `<name>-<version>.tgz` as `helm package` makes it. */
export function packageChart(chart: Chart): Buffer {
  const files: Record<string, string> = {
    'Chart.yaml': stringify({ apiVersion: 'v2', name: chart.name, version: chart.version, type: 'application' }),
    'values.yaml': chart.values,
    ...Object.fromEntries(Object.entries(chart.templates).map(([file, text]) => [`templates/${file}`, text])),
  };
  const entries = Object.entries(files).map(([path, text]) => tarEntry(`${chart.name}/${path}`, Buffer.from(text)));
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

/** Serves `charts` on 127.0.0.1: index.yaml and one package per chart version, to `login` only if given. */
export async function startChartRepository(
  charts: readonly Chart[],
  login?: { readonly username: string; readonly password: string },
): Promise<ChartRepository> {
  const packages = new Map(charts.map((c) => [`/${c.name}-${c.version}.tgz`, { chart: c, bytes: packageChart(c) }]));
  const entries: Record<string, object[]> = {};
  for (const [path, { chart, bytes }] of packages) {
    (entries[chart.name] ??= []).push({
      apiVersion: 'v2',
      name: chart.name,
      version: chart.version,
      type: 'application',
      created: CREATED,
      digest: createHash('sha256').update(bytes).digest('hex'),
      // Relative to the repository's url, as Helm resolves it.
      urls: [path.slice(1)],
    });
  }
  const index = stringify({ apiVersion: 'v1', entries, generated: CREATED });
  const requests: string[] = [];
  const refused: string[] = [];
  const authorization = login && `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (authorization && request.headers.authorization !== authorization) {
      refused.push(path);
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="charts"' }).end();
      return;
    }
    requests.push(path);
    const body = path === '/index.yaml' ? Buffer.from(index) : packages.get(path)?.bytes;
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    const type = path.endsWith('.tgz') ? 'application/gzip' : 'text/yaml';
    response.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refused,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
