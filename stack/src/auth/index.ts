/** GoTrue-compatible /auth/v1 service: the endpoints auth-js 2.119 calls, with GoTrue's bodies and errors. */
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';
import { createUser, deleteUser, getUserById, listAllUsers, updateUserById } from './admin.ts';
import { dirname, join } from 'node:path';
import type { Endpoint, Outbox } from './call.ts';
import { generateLink, invite, otp, reauthenticate, recover, resend } from './email-flows.ts';
import type { Mailbox } from './mailbox.ts';
import { composeMail, EmailLimit } from './mailer.ts';
import { adminDeleteFactor, adminListFactors, challenge, enroll, unenroll, verifyFactor } from './mfa.ts';
import { AuthError, sendAuthError } from './errors.ts';
import { token } from './grant.ts';
import { LoginThrottle } from './login-throttle.ts';
import { AddressLimits, clientAddress } from './rate-limit.ts';
import { loadAuthSettings, type AuthSettings } from './settings.ts';
import { signup } from './signup.ts';
import { getUser, logout, updateUser } from './user.ts';
import { verify } from './verify.ts';

const health: Endpoint = async () => ({
  status: 200,
  body: { version: 'vibe-local', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' },
});

// What GoTrue's /settings reports for the local stack: email (and anonymous when enabled), no SMS/SAML/passkeys.
const settingsEndpoint: Endpoint = async ({ settings }: { settings: AuthSettings }) => ({
  status: 200,
  body: {
    external: Object.fromEntries(
      [
        'anonymous_users',
        'apple',
        'azure',
        'bitbucket',
        'discord',
        'facebook',
        'snapchat',
        'figma',
        'fly',
        'github',
        'gitlab',
        'google',
        'keycloak',
        'kakao',
        'linkedin',
        'linkedin_oidc',
        'notion',
        'spotify',
        'slack',
        'slack_oidc',
        'workos',
        'twitch',
        'twitter',
        'email',
        'phone',
        'zoom',
      ].map((p) => [p, p === 'email' || (p === 'anonymous_users' && settings.mailer.anonymousEnabled)]),
    ),
    disable_signup: !settings.mailer.signupEnabled,
    mailer_autoconfirm: settings.mailer.autoconfirm,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  },
});

interface Route {
  method: string;
  pattern: RegExp;
  endpoint: Endpoint;
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/health$/, endpoint: health },
  { method: 'GET', pattern: /^\/settings$/, endpoint: settingsEndpoint },
  { method: 'POST', pattern: /^\/signup$/, endpoint: signup },
  { method: 'POST', pattern: /^\/token$/, endpoint: token },
  { method: 'POST', pattern: /^\/verify$/, endpoint: verify },
  { method: 'GET', pattern: /^\/verify$/, endpoint: verify },
  { method: 'POST', pattern: /^\/recover$/, endpoint: recover },
  { method: 'POST', pattern: /^\/otp$/, endpoint: otp },
  { method: 'POST', pattern: /^\/magiclink$/, endpoint: otp },
  { method: 'POST', pattern: /^\/resend$/, endpoint: resend },
  { method: 'GET', pattern: /^\/reauthenticate$/, endpoint: reauthenticate },
  { method: 'POST', pattern: /^\/invite$/, endpoint: invite },
  { method: 'POST', pattern: /^\/admin\/generate_link$/, endpoint: generateLink },
  { method: 'POST', pattern: /^\/factors$/, endpoint: enroll },
  { method: 'POST', pattern: /^\/factors\/(?<id>[^/]+)\/challenge$/, endpoint: challenge },
  { method: 'POST', pattern: /^\/factors\/(?<id>[^/]+)\/verify$/, endpoint: verifyFactor },
  { method: 'DELETE', pattern: /^\/factors\/(?<id>[^/]+)$/, endpoint: unenroll },
  { method: 'GET', pattern: /^\/admin\/users\/(?<id>[^/]+)\/factors$/, endpoint: adminListFactors },
  {
    method: 'DELETE',
    pattern: /^\/admin\/users\/(?<id>[^/]+)\/factors\/(?<factor>[^/]+)$/,
    endpoint: adminDeleteFactor,
  },
  { method: 'GET', pattern: /^\/user$/, endpoint: getUser },
  { method: 'PUT', pattern: /^\/user$/, endpoint: updateUser },
  { method: 'POST', pattern: /^\/logout$/, endpoint: logout },
  { method: 'GET', pattern: /^\/admin\/users$/, endpoint: listAllUsers },
  { method: 'POST', pattern: /^\/admin\/users$/, endpoint: createUser },
  { method: 'GET', pattern: /^\/admin\/users\/(?<id>[^/]+)$/, endpoint: getUserById },
  { method: 'PUT', pattern: /^\/admin\/users\/(?<id>[^/]+)$/, endpoint: updateUserById },
  { method: 'DELETE', pattern: /^\/admin\/users\/(?<id>[^/]+)$/, endpoint: deleteUser },
];

/** What a caller may set instead of the defaults (tests: their own config.toml limits and a captured outbox). */
export interface AuthServiceOptions {
  /** Environment the settings are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where composed mail goes (default: the mailbox when given, else one line on the stack's stdout). */
  outbox?: Outbox;
  /** The stack's local mailbox (`/mailbox`): every mail lands there, and a line on the log says so. */
  mailbox?: Mailbox;
}

function defaultOutbox(mailbox: Mailbox | undefined, publicUrl: string): Outbox {
  return (mail) => {
    const stored = mailbox?.deliver(mail);
    process.stdout.write(
      `[auth] ${mail.kind} mail for ${mail.to}${stored ? `: ${publicUrl}/mailbox/${stored.id}` : `: code ${mail.otp}`}\n`,
    );
  };
}

/** Builds the service; the JWKS is public, everything else is routed to its endpoint. Settings come from the environment and `<supabase>/config.toml`. */
export function createAuthService(ctx: StackContext, options: AuthServiceOptions = {}): Service {
  const configToml = join(dirname(ctx.config.functionsDir), 'config.toml');
  const settings = loadAuthSettings(ctx.publicUrl, options.env ?? process.env, configToml);
  const limits = new AddressLimits(settings.rateLimits);
  const throttle = new LoginThrottle();
  const deliver = options.outbox ?? defaultOutbox(options.mailbox, ctx.publicUrl);
  const outbox = (mail: Parameters<typeof composeMail>[0]) =>
    deliver(composeMail(mail, settings.mailer, settings.issuer));
  const emailLimit = new EmailLimit(settings.rateLimits?.emailSent ?? null, settings.mailer.autoconfirm);
  return async (req, res) => {
    if (req.path === '/.well-known/jwks.json') return sendJson(res, 200, ctx.keys.jwks);
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    try {
      const matches = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
      if (matches.length === 0)
        throw new AuthError(
          404,
          'not_found',
          `No Auth endpoint at ${path}: see the GoTrue API auth-js calls (/signup, /token, /verify, /recover, /otp, /resend, /user, /factors, /logout, /admin/users)`,
        );
      const hit = matches.find((x) => x.r.method === method);
      if (!hit)
        throw new AuthError(
          405,
          'method_not_allowed',
          `${req.method} is not allowed on ${path}; use ${matches.map((x) => x.r.method).join(' or ')}`,
        );
      const params = Object.fromEntries(Object.entries(hit.m!.groups ?? {}).map(([k, v]) => [k, safeDecode(v)]));
      const address = clientAddress(req, ctx.keys);
      const reply = await hit.r.endpoint({
        req,
        pool: ctx.pool,
        keys: ctx.keys,
        settings,
        params,
        address,
        limits,
        throttle,
        outbox,
        emailLimit,
      });
      if (reply.status === 204 || reply.status === 303) {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end();
        return;
      }
      sendJson(res, reply.status, reply.body, reply.headers);
    } catch (err) {
      if (!(err instanceof AuthError) && (err as Error).name !== 'OAuthError') {
        process.stderr.write(`[auth] ${req.method} ${req.path}: ${(err as Error).stack ?? String(err)}\n`);
      }
      sendAuthError(req, res, err);
    }
  };
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
