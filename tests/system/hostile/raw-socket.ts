/** A raw Phoenix (vsn 2.0.0) WebSocket client for sending frames supabase-js never would, and reading every reply. */
import WebSocket from 'ws';

/** A decoded V2 frame: [join_ref, ref, topic, event, payload]. */
export type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/** A connected socket that records every frame it receives. */
export class RawSocket {
  readonly received: Frame[] = [];
  readonly ws: WebSocket;
  private ref = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      try {
        this.received.push(JSON.parse(data.toString()) as Frame);
      } catch {
        /* binary frames are not used here */
      }
    });
  }

  /** Opens `url`; rejects with the HTTP status and body when the upgrade is refused. */
  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () =>
          reject(Object.assign(new Error(`upgrade refused ${res.statusCode}`), { status: res.statusCode ?? 0, body })),
        );
      });
      ws.once('error', reject);
    });
  }

  /** A fresh ref for a frame. */
  nextRef(): string {
    return String(++this.ref);
  }

  /** Sends raw text or bytes as one frame. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Sends a V2 frame and waits for the phx_reply to its ref (or any frame matching `also`). */
  async request(
    topic: string,
    event: string,
    payload: unknown,
    joinRef: string | null = null,
    timeoutMs = 5000,
    also?: (f: Frame) => boolean,
  ): Promise<Frame> {
    const ref = this.nextRef();
    const from = this.received.length;
    this.ws.send(JSON.stringify([joinRef ?? (event === 'phx_join' ? ref : null), ref, topic, event, payload]));
    return this.waitFor((f) => (f[1] === ref && f[3] === 'phx_reply') || (also?.(f) ?? false), timeoutMs, from);
  }

  /** The first frame from index `from` on that matches, waiting up to `timeoutMs`. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs: number, from = 0): Promise<Frame> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > end)
        throw new Error(
          `No matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(from)).slice(0, 500)}`,
        );
      if (this.ws.readyState !== WebSocket.OPEN)
        throw new Error(`The socket closed; got ${JSON.stringify(this.received.slice(from)).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** True when a heartbeat is still answered: the socket survived whatever came before. */
  async alive(): Promise<boolean> {
    const reply = await this.request('phoenix', 'heartbeat', {});
    return (reply[4] as { status?: string }).status === 'ok';
  }

  close(): void {
    this.ws.close();
  }
}
