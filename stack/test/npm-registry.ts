/** A local npm registry serving one package, so the registry fallback of `npm:` imports is tested without the network. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface LocalRegistry {
  url: string;
  /** Request paths in arrival order (packument, tarball). */
  requests: string[];
  close(): Promise<void>;
}

/** Packs `files` as `<name>@<version>` (npm's tarball layout: everything under `package/`) and serves it with its packument. */
export async function startLocalRegistry(
  name: string,
  version: string,
  files: Record<string, string>,
): Promise<LocalRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vibe-registry-'));
  mkdirSync(path.join(dir, 'package'));
  writeFileSync(path.join(dir, 'package', 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, 'package', file), text);
  execFileSync('tar', ['-czf', 'package.tgz', 'package'], { cwd: dir });
  const tarball = readFileSync(path.join(dir, 'package.tgz'));
  rmSync(dir, { recursive: true, force: true });
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url === `/${name}`) {
      const dist = {
        tarball: `${base}/${name}/-/${name}-${version}.tgz`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name,
          'dist-tags': { latest: version },
          versions: { [version]: { name, version, main: 'index.js', dist } },
        }),
      );
    } else if (url === `/${name}/-/${name}-${version}.tgz`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length }).end(tarball);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
