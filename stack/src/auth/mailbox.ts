/**
 * The local mailbox, the stack's stand-in for the CLI's Inbucket/Mailpit: every email the Auth server sends
 * lands here instead of going out. A local development tool only: hosted Supabase sends with the project's
 * SMTP settings, and nothing of this exists there.
 *
 * - `GET /mailbox` (HTML, `?to=<address>` filters) and `GET /mailbox/<id>`: server-rendered pages, answered
 *   only to a client on a loopback address, with no CORS headers, so another origin's page cannot read them
 *   and a stack bound to a public interface (`VIBE_HOST`) does not show mail to the network.
 * - `GET /mailbox/api/messages[?to=]`, `GET|DELETE /mailbox/api/messages/<id>`, `DELETE /mailbox/api/messages[?to=]`:
 *   JSON, only with the secret (service_role) key as `apikey` or bearer; the anon/publishable key gets 401.
 *
 * Messages live in memory (newest 1000 kept), as Inbucket keeps them: a restart empties the mailbox.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bearer, header, sendJson, type Service, type ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import type { OutgoingMail } from './mailer.ts';

/** One stored message. */
export interface MailboxMessage extends OutgoingMail {
  id: string;
  created_at: string;
}

/** Summary of a message, as the list answers it. */
export type MailboxSummary = Pick<MailboxMessage, 'id' | 'to' | 'from' | 'subject' | 'kind' | 'created_at'>;

const MAX_MESSAGES = 1000;

/** The messages, oldest first. */
export class Mailbox {
  readonly #messages: MailboxMessage[] = [];

  /** Stores a mail (dropping the oldest beyond 1000). */
  deliver(mail: OutgoingMail): MailboxMessage {
    const message: MailboxMessage = { ...mail, id: randomUUID(), created_at: new Date().toISOString() };
    this.#messages.push(message);
    if (this.#messages.length > MAX_MESSAGES) this.#messages.splice(0, this.#messages.length - MAX_MESSAGES);
    return message;
  }

  /** Messages to `to` (case-insensitive; all when null), newest first. */
  list(to: string | null): MailboxMessage[] {
    const want = to?.toLowerCase();
    return this.#messages.filter((m) => !want || m.to.toLowerCase() === want).reverse();
  }

  get(id: string): MailboxMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  /** Deletes one message by id, or every message to `to` (all when null); returns how many went. */
  delete(filter: { id: string } | { to: string | null }): number {
    const before = this.#messages.length;
    const keep = this.#messages.filter((m) =>
      'id' in filter ? m.id !== filter.id : filter.to !== null && m.to.toLowerCase() !== filter.to.toLowerCase(),
    );
    this.#messages.splice(0, this.#messages.length, ...keep);
    return before - keep.length;
  }
}

const summary = (m: MailboxMessage): MailboxSummary => ({
  id: m.id,
  to: m.to,
  from: m.from,
  subject: m.subject,
  kind: m.kind,
  created_at: m.created_at,
});

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function isLoopback(address: string | undefined): boolean {
  const a = (address ?? '').replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // Mail bodies are shown in a sandboxed frame; the page itself runs no script and cannot be framed.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  stripCors(res);
  res.writeHead(status, PAGE_HEADERS);
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd}iframe{width:100%;height:24rem;border:1px solid #ccc}pre{white-space:pre-wrap}</style></head><body>${body}</body></html>`,
  );
}

// The gateway adds `access-control-allow-origin: *` to every answer: the mailbox must not be readable cross-origin.
function stripCors(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
}

function sendApi(res: ServerResponse, status: number, body: unknown): void {
  stripCors(res);
  sendJson(res, status, body, { 'cache-control': 'no-store' });
}

/** The `/mailbox` service (mounted by the gateway without its apikey check: the service checks access itself). */
export function createMailboxService(mailbox: Mailbox, keys: Keys): Service {
  return async (req: ServiceRequest, res: ServerResponse) => {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (path === '/api' || path.startsWith('/api/')) return api(req, res, path.slice(4) || '/');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendPage(res, 405, 'Method not allowed', '<p>The mailbox pages only answer GET.</p>');
    if (!isLoopback(req.raw.socket.remoteAddress))
      return sendPage(
        res,
        403,
        'Forbidden',
        '<p>The local mailbox is shown only to this machine (a loopback address). Use the JSON API with the secret key from elsewhere.</p>',
      );
    if (path === '/') {
      const to = req.url.searchParams.get('to');
      const rows = mailbox
        .list(to)
        .map(
          (m) =>
            `<tr><td>${esc(m.created_at)}</td><td><a href="?to=${encodeURIComponent(m.to)}">${esc(m.to)}</a></td><td><a href="mailbox/${m.id}">${esc(m.subject)}</a></td><td>${esc(m.kind)}</td></tr>`,
        )
        .join('');
      return sendPage(
        res,
        200,
        'Local mailbox',
        `<h1>Local mailbox${to ? ` for ${esc(to)}` : ''}</h1><p>Every email the local Auth server sent (newest first). Hosted Supabase sends these with the project's SMTP settings instead.${to ? ' <a href="mailbox">All addresses</a>' : ''}</p><table><tr><th>Sent</th><th>To</th><th>Subject</th><th>Type</th></tr>${rows || '<tr><td colspan="4">No mail yet.</td></tr>'}</table>`.replace(
          /href="mailbox/g,
          'href="/mailbox',
        ),
      );
    }
    const m = /^\/([0-9a-f-]{36})(\/html)?$/.exec(path);
    const message = m ? mailbox.get(m[1]!) : undefined;
    if (!message)
      return sendPage(res, 404, 'Not found', '<p>No such message. <a href="/mailbox">Back to the mailbox</a></p>');
    if (m![2]) {
      // The mail's own HTML, shown inside the sandboxed frame of the message page (no scripts, no same-origin access).
      stripCors(res);
      res.writeHead(200, {
        ...PAGE_HEADERS,
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation",
        'x-frame-options': 'SAMEORIGIN',
      });
      res.end(message.html);
      return;
    }
    return sendPage(
      res,
      200,
      message.subject,
      `<p><a href="/mailbox">Mailbox</a> · <a href="/mailbox?to=${encodeURIComponent(message.to)}">${esc(message.to)}</a></p><h1>${esc(message.subject)}</h1><p>From ${esc(message.from)} to ${esc(message.to)}, ${esc(message.created_at)}</p>${message.actionLink ? `<p>Link: <a href="${esc(message.actionLink)}">${esc(message.actionLink)}</a></p>` : ''}<p>Code: <strong>${esc(message.otp)}</strong></p><iframe sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" src="/mailbox/${message.id}/html" title="message"></iframe><h2>Text</h2><pre>${esc(message.text)}</pre>`,
    );
  };

  function api(req: ServiceRequest, res: ServerResponse, path: string): void {
    const key = header(req.headers, 'apikey') ?? bearer(req.headers);
    if (key !== keys.serviceRoleKey || (bearer(req.headers) !== null && bearer(req.headers) !== keys.serviceRoleKey))
      return sendApi(res, 401, {
        code: 'mailbox_requires_secret_key',
        message: 'The mailbox API needs the secret (service_role) key as apikey: mail holds sign-in links and codes',
      });
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (path === '/messages') {
      const to = req.url.searchParams.get('to');
      if (method === 'GET') return sendApi(res, 200, { messages: mailbox.list(to).map(summary) });
      if (method === 'DELETE') return sendApi(res, 200, { deleted: mailbox.delete({ to }) });
      return sendApi(res, 405, {
        code: 'method_not_allowed',
        message: `${req.method} is not allowed; use GET or DELETE`,
      });
    }
    const m = /^\/messages\/([^/]+)$/.exec(path);
    if (m) {
      const message = mailbox.get(m[1]!);
      if (!message) return sendApi(res, 404, { code: 'message_not_found', message: `No message with id ${m[1]}` });
      if (method === 'GET') return sendApi(res, 200, message);
      if (method === 'DELETE') return sendApi(res, 200, { deleted: mailbox.delete({ id: message.id }) });
      return sendApi(res, 405, {
        code: 'method_not_allowed',
        message: `${req.method} is not allowed; use GET or DELETE`,
      });
    }
    return sendApi(res, 404, {
      code: 'not_found',
      message: `No mailbox endpoint at ${path}: use /mailbox/api/messages[?to=address] or /mailbox/api/messages/<id>`,
    });
  }
}
