/**
 * Runs inside Deno, one process per function: imports the function module, captures the handler it passes to
 * `Deno.serve` (or its `export default { fetch }`), and serves that handler on a private loopback port.
 * Node never imports this file; it is typed here only so the project's type check covers it.
 */

type Handler = (req: Request, info: unknown) => Response | Promise<Response>;
interface DenoApi {
  args: string[];
  env: { delete(key: string): void };
  serve(...args: unknown[]): unknown;
  exit(code?: number): never;
  stdin: { read(buf: Uint8Array): Promise<number | null> };
}
declare const Deno: DenoApi;

/** The line that tells the stack the worker is listening; keep in sync with worker.ts. */
const READY = '__vibe_worker_ready__';
const WORKER_ERROR = { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' };
const entrypointUrl = Deno.args[0]!;

// Deno adds its npm-bin folder as PATH; functions get no PATH, as under `supabase functions serve`.
Deno.env.delete('PATH');

let handler: Handler | null = null;
const realServe = Deno.serve.bind(Deno);

// The function believes it started a server; the worker serves its handler on the port the stack picked.
Deno.serve = (...args: unknown[]) => {
  for (const a of args) {
    if (typeof a === 'function') handler ??= a as Handler;
    else if (a && typeof (a as { handler?: unknown }).handler === 'function')
      handler ??= (a as { handler: Handler }).handler;
  }
  return {
    finished: new Promise(() => {}),
    addr: { transport: 'tcp', hostname: '0.0.0.0', port: 8000 },
    shutdown: async () => {},
    ref() {},
    unref() {},
    [Symbol.asyncDispose]: async () => {},
  };
};

// edge-runtime's global; plain Deno lacks it, and functions use it for background work after the response.
const g = globalThis as { EdgeRuntime?: unknown };
g.EdgeRuntime ??= {
  waitUntil(p: Promise<unknown>) {
    Promise.resolve(p).catch((err: unknown) => console.error(err));
  },
};

// The stack holds our stdin open; when it goes away (even killed), stdin closes and the worker follows.
void (async () => {
  const buf = new Uint8Array(256);
  while ((await Deno.stdin.read(buf)) !== null);
  Deno.exit(0);
})();

let mod: { default?: { fetch?: Handler } };
try {
  mod = await import(entrypointUrl);
} catch (err) {
  console.error(`Cannot load the function module ${entrypointUrl}: ${(err as Error)?.stack ?? String(err)}`);
  Deno.exit(1);
}
const fallback = mod.default?.fetch;
if (!handler && typeof fallback === 'function') handler = fallback.bind(mod.default);
if (!handler) {
  console.error('The function started no server: call Deno.serve(handler) or `export default { fetch(req) { … } }`');
  Deno.exit(1);
}
const serveHandler = handler;

realServe(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }: { port: number }) => console.log(`${READY} ${port}`),
    onError: (err: unknown) => {
      console.error(err);
      return new Response(JSON.stringify(WORKER_ERROR), {
        status: 500,
        headers: { 'content-type': 'application/json', 'sb-error-code': WORKER_ERROR.code },
      });
    },
  },
  serveHandler,
);
