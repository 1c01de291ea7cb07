import { building } from '$app/env';
import { defineEnvVars } from '@sveltejs/kit/env';

/** A required value; the build analyses routes without one, so it only fails when the app runs. */
const required = (name: string) => (value: string | undefined) => {
  if (!value && !building) throw new Error(`Missing ${name}: set it to your Supabase project's value (npm start sets it from .vibe/stack.env)`);
  return value ?? '';
};

export const variables = defineEnvVars({
  PUBLIC_SUPABASE_URL: { public: true, schema: required('PUBLIC_SUPABASE_URL'), description: 'Supabase project URL' },
  PUBLIC_SUPABASE_ANON_KEY: { public: true, schema: required('PUBLIC_SUPABASE_ANON_KEY'), description: 'anon or publishable key' },
});
