/** Where to go after signing in: only a same-site path, so ?redirectTo= cannot send users elsewhere. */
export function safeRedirectTarget(raw: string | null | undefined): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  return raw;
}
