import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MANIFESTS_DIR } from './manifests';

/** A stand-in for Flux's release downloads, serving `files` by URL path; 404 for anything else. */
export interface ReleaseMirror {
  readonly url: string;
  readonly server: Server;
  /** The paths asked for, in order. */
  readonly requests: string[];
}

export function releaseMirror(files: Record<string, Buffer | string>): Promise<ReleaseMirror> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests }),
    ),
  );
}

export const sha256 = (text: Buffer | string) => createHash('sha256').update(text).digest('hex');

/** `<version>/install.yaml` and the release's checksums file listing its sha256, as a release publishes them. */
export function releaseFiles(version: string, installYaml: string): Record<string, string> {
  const release = version.slice(1);
  return {
    [`/${version}/install.yaml`]: installYaml,
    [`/${version}/flux_${release}_checksums.txt`]: [
      `${'0'.repeat(64)}  flux_${release}_linux_amd64.tar.gz`,
      `${sha256(installYaml)}  install.yaml`,
      '',
    ].join('\n'),
  };
}

/**
 * The closest stand-in we have for a release's all-component `install.yaml`: the six-component
 * export of that version with its header comment removed, so that, as in a release file, the
 * version comes from the objects' labels.
 */
export function releaseInstallYaml(version: string): string {
  const text = readFileSync(join(MANIFESTS_DIR, `${version}-image-automation`, 'gotk-components.yaml'), 'utf8');
  return text.replace(/^---\n(#.*\n)+/, '---\n');
}
