import { building } from '$app/env';
import { defineEnvVars } from '@sveltejs/kit/env';

/** A required value; the build analyses routes without one, so it only fails when the app runs. */
const required = (name: string) => (value: string | undefined) => {
  if (!value && !building)
    throw new Error(
      `Missing ${name}: set it to your Supabase project's value (npm start sets it from .vibe/stack.env)`,
    );
  return value ?? '';
};

/** An optional value: empty means unset. */
const optional = (value: string | undefined) => (value ? value : undefined);

export const variables = defineEnvVars({
  PUBLIC_SUPABASE_URL: { public: true, schema: required('PUBLIC_SUPABASE_URL'), description: 'Supabase project URL' },
  PUBLIC_SUPABASE_ANON_KEY: {
    public: true,
    schema: required('PUBLIC_SUPABASE_ANON_KEY'),
    description: 'anon or publishable key',
  },
  UPSTASH_REDIS_REST_URL: {
    schema: optional,
    description: 'Upstash Redis REST URL for the API cache; without it the API reads Postgres on every request',
  },
  UPSTASH_REDIS_REST_TOKEN: { schema: optional, description: 'Upstash Redis REST token (with UPSTASH_REDIS_REST_URL)' },
  SUPABASE_SECRET_KEY: {
    schema: optional,
    description:
      "server-only secret (or service_role) key: when set, sign-in, sign-up and refresh calls name the visitor's address to Auth (Sb-Forwarded-For), so Auth's limits apply per visitor; never public",
  },
  SIGN_IN_LIMITS: {
    schema: (value: string | undefined) => {
      if (value === undefined || value === '' || value === 'on') return 'on';
      if (value === 'off') return 'off';
      throw new Error(`SIGN_IN_LIMITS must be on or off, not ${JSON.stringify(value)}`);
    },
    description:
      'the per-visitor sign-in, sign-up and refresh limits: on (default), or off for test runs that sign in many times from one address',
  },
  VIBE_AGENT_DIST: {
    schema: optional,
    description:
      'folder holding the agent executables, their .sha256, version.json and install.sh (npm run build:agent writes agent/dist); default agent/dist under the working directory or its parent',
  },
  CSP_CONNECT_SRC: {
    schema: optional,
    description:
      "extra connect-src sources for the pages' Content Security Policy, space-separated (the Supabase URL is always allowed)",
  },
});
