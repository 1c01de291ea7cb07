/** Root layout data everywhere: a Supabase client acting as the user (Realtime, queries) plus the server's data. */
import type { LayoutLoad } from './$types';
import { browser } from '$app/env';
import { setLocale } from '#lib/paraglide/runtime.js';
import { createUniversalClient } from '#lib/supabase.ts';

export const load: LayoutLoad = async ({ data, depends, fetch }) => {
  // invalidate('supabase:auth') re-runs this after sign-in or sign-out in the browser.
  depends('supabase:auth');
  // The browser renders in the language the server chose, so hydration matches the server's HTML.
  if (browser) setLocale(data.locale, { reload: false });
  const supabase = createUniversalClient(data.cookies, fetch);
  return { supabase, user: data.user, locale: data.locale };
};
