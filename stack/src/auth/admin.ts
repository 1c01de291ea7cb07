/** /admin/users: create, list, get, update and delete users; service_role only (GoTrue's admin API). */
import type { AuthCall, Endpoint } from './call.ts';
import { mapDbError, withTx } from './db.ts';
import { AuthError, validationFailed } from './errors.ts';
import { requireAdmin } from './guard.ts';
import { logout } from './sessions.ts';
import {
  confirmEmail,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  mergeMetadata,
  randomPassword,
  setBan,
  setEmail,
  setPassword,
  type UserRecord,
} from './users.ts';
import {
  boolField,
  checkPasswordStrength,
  isUuid,
  objectField,
  parseBanDuration,
  parseBody,
  stringField,
  validateEmail,
} from './validate.ts';

const emailExists = () =>
  new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
const noPhone = () =>
  validationFailed('Phone users are not supported by the local Auth server: create the user with an email');

async function loadUser(call: AuthCall): Promise<UserRecord> {
  const id = call.params.id!;
  if (!isUuid(id)) throw new AuthError(404, 'validation_failed', 'user_id must be an UUID');
  const user = await findUserById(call.pool, id);
  if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
  return user;
}

/** POST /admin/users. Like GoTrue, the admin may set any password length up to 72 bytes, and a user without one gets a random password. */
export const createUser: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const body = parseBody(call.req.body);
  const rawEmail = stringField(body, 'email');
  if (stringField(body, 'phone')) throw noPhone();
  if (!rawEmail) throw validationFailed('Cannot create a user without either an email or phone');
  const email = validateEmail(rawEmail);
  const password = stringField(body, 'password') || randomPassword();
  checkPasswordStrength(password, 0); // no minimum for the admin, only bcrypt's 72-byte limit
  if (stringField(body, 'password_hash'))
    throw validationFailed('password_hash is not supported by the local Auth server: send password');
  const id = stringField(body, 'id');
  if (id !== undefined && !isUuid(id)) throw validationFailed('ID must conform to the uuid v4 format');
  if (id === '00000000-0000-0000-0000-000000000000') throw validationFailed('ID cannot be a nil uuid');
  const banText = stringField(body, 'ban_duration');
  const banMs = banText ? parseBanDuration(banText) : null;
  const aud = stringField(body, 'aud') || call.settings.audience;

  const user = await withTx(call.pool, async (tx) => {
    if (await findUserByEmail(tx, email, aud)) throw emailExists();
    try {
      const userId = await insertUser(tx, {
        id,
        email,
        password,
        aud,
        role: stringField(body, 'role') || 'authenticated',
        userMetadata: objectField(body, 'user_metadata') ?? {},
        appMetadata: { provider: 'email', providers: ['email'], ...(objectField(body, 'app_metadata') ?? {}) },
        confirmed: boolField(body, 'email_confirm'),
      });
      if (banMs !== null) await setBan(tx, userId, banMs);
      return (await findUserById(tx, userId))!;
    } catch (err) {
      throw mapDbError(err, emailExists());
    }
  });
  return { status: 200, body: user.json };
};

/** GET /admin/users?page&per_page: newest first, with `X-Total-Count` and GoTrue's `Link` header. */
export const listAllUsers: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const q = call.req.url.searchParams;
  const num = (name: string, fallback: number) => {
    const raw = q.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^\d+$/.test(raw))
      throw validationFailed(`Bad Pagination Parameters: ${name} must be a whole number, got "${raw}"`);
    return Number(raw);
  };
  // As pop's Paginate: page below 1 is 1, per_page below 1 is 20.
  const page = Math.max(1, num('page', 1));
  const perPageRaw = num('per_page', 50);
  const perPage = perPageRaw < 1 ? 20 : Math.min(perPageRaw, 10_000);
  const { users, total } = await listUsers(call.pool, call.settings.audience, page, perPage, q.get('filter') ?? '');
  const pages = Math.ceil(total / perPage);
  const link = (p: number) => {
    const params = new URLSearchParams(q);
    params.set('page', String(p));
    params.sort(); // Go's url.Values.Encode sorts keys; auth-js reads the page from the first parameter
    return `<${call.req.path}?${params.toString()}>`;
  };
  const links = [...(pages > page ? [`${link(page + 1)}; rel="next"`] : []), `${link(pages)}; rel="last"`];
  return {
    status: 200,
    body: { users: users.map((u) => u.json), aud: call.settings.audience },
    headers: { link: links.join(', '), 'x-total-count': String(total) },
  };
};

/** GET /admin/users/:id. */
export const getUserById: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  return { status: 200, body: (await loadUser(call)).json };
};

/** PUT /admin/users/:id: email, password (ends every session), email_confirm, metadata merges, role, ban_duration. */
export const updateUserById: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const current = await loadUser(call);
  const body = parseBody(call.req.body);
  const rawEmail = stringField(body, 'email');
  const email = rawEmail ? validateEmail(rawEmail) : undefined;
  if (stringField(body, 'phone')) throw noPhone();
  const banText = stringField(body, 'ban_duration');
  const banMs = banText ? parseBanDuration(banText) : null;
  const password = stringField(body, 'password');
  if (password !== undefined) checkPasswordStrength(password, call.settings.minPasswordLength);
  const userMetadata = objectField(body, 'user_metadata');
  const appMetadata = objectField(body, 'app_metadata');
  const role = stringField(body, 'role');
  const confirm = boolField(body, 'email_confirm');

  const user = await withTx(call.pool, async (tx) => {
    const id = current.id;
    try {
      if (role) await tx.query(`update auth.users set role = $2, updated_at = now() where id = $1`, [id, role]);
      if (confirm) await confirmEmail(tx, id);
      if (password !== undefined) {
        await setPassword(tx, id, password);
        await logout(tx, id, null, 'global');
      }
      if (email !== undefined && email !== current.email) {
        const other = await findUserByEmail(tx, email, current.aud);
        if (other && other.id !== id) throw emailExists();
        await setEmail(tx, id, email, confirm || current.emailConfirmed);
      }
      if (appMetadata) await mergeMetadata(tx, id, 'raw_app_meta_data', appMetadata);
      if (userMetadata) await mergeMetadata(tx, id, 'raw_user_meta_data', userMetadata);
      if (banMs !== null) await setBan(tx, id, banMs);
    } catch (err) {
      throw mapDbError(err, emailExists());
    }
    return (await findUserById(tx, id))!;
  });
  return { status: 200, body: user.json };
};

/** DELETE /admin/users/:id: hard delete (sessions and identities go with it), or `should_soft_delete` as GoTrue obfuscates. */
export const deleteUser: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const user = await loadUser(call);
  const body = call.req.body.length ? parseBody(call.req.body) : {};
  const soft = boolField(body, 'should_soft_delete');
  try {
    await withTx(call.pool, async (tx) => {
      if (!soft) {
        await tx.query(`delete from auth.users where id = $1`, [user.id]);
        return;
      }
      await tx.query(
        `update auth.users set email = null, phone = null, encrypted_password = '', email_change = '',
           raw_user_meta_data = '{}', raw_app_meta_data = '{}', deleted_at = coalesce(deleted_at, now()), updated_at = now()
         where id = $1`,
        [user.id],
      );
      await tx.query(
        `update auth.identities set provider_id = 'deleted:' || md5(provider_id), identity_data = '{}', updated_at = now() where user_id = $1`,
        [user.id],
      );
      await logout(tx, user.id, null, 'global');
    });
  } catch (err) {
    // e.g. an app table that references auth.users without `on delete cascade`
    if ((err as { code?: string }).code === '23503') {
      throw new AuthError(500, 'unexpected_failure', `Database error deleting user: ${(err as Error).message}`);
    }
    throw err;
  }
  return { status: 200, body: {} };
};
