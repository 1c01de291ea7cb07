/**
 * Compression of large JSON responses (adapter-node only serves precompressed static files):
 * brotli when accepted, else gzip, with a small memo of bodies already compressed per ETag so
 * repeated polls of an unchanged answer cost no CPU.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Bodies smaller than this go out as they are: compression would not pay for itself. */
export const minCompressBytes = 1024;

/** The encoding to use for an Accept-Encoding header: br, gzip or null (q=0 excludes one). */
export function pickEncoding(acceptEncoding: string | null): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qParam ? Number(qParam.slice(2)) || 0 : 1);
  }
  const weight = (name: string) => q.get(name) ?? q.get('*') ?? 0;
  const br = weight('br');
  const gzipQ = weight('gzip');
  if (br > 0 && br >= gzipQ) return 'br';
  if (gzipQ > 0) return 'gzip';
  return null;
}

const memo = new Map<string, Uint8Array<ArrayBuffer>>();
const memoLimit = 64;

/** Compresses bytes with the chosen encoding (brotli at quality 5: most of the gain for little CPU). */
export async function compressBytes(bytes: Uint8Array, encoding: 'br' | 'gzip'): Promise<Uint8Array<ArrayBuffer>> {
  if (encoding === 'br') {
    const out = await brotli(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
    });
    return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
  }
  const out = await gz(bytes, { level: 6 });
  return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
}

/** The response compressed for the request when it is JSON, large enough and not encoded yet. */
export async function compressResponse(request: Request, response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body || response.headers.has('content-encoding') || !type.startsWith('application/json'))
    return response;
  const vary = response.headers.get('vary');
  const headers = new Headers(response.headers);
  headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  const encoding = pickEncoding(request.headers.get('accept-encoding'));
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!encoding || bytes.byteLength < minCompressBytes) {
    return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
  }
  const etag = response.headers.get('etag');
  const memoKey = etag ? `${encoding}:${etag}` : null;
  let out = memoKey ? memo.get(memoKey) : undefined;
  if (!out) {
    out = await compressBytes(bytes, encoding);
    if (memoKey) {
      if (memo.size >= memoLimit) memo.delete(memo.keys().next().value as string);
      memo.set(memoKey, out);
    }
  }
  headers.set('content-encoding', encoding);
  headers.set('content-length', String(out.byteLength));
  return new Response(out, { status: response.status, statusText: response.statusText, headers });
}
