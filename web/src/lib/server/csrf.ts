/**
 * Cross-site form posts are refused by comparing the Origin's host with the Host header. SvelteKit's own
 * check compares whole origins, but adapter-node 6 cannot know the scheme of a plain-http install.
 */

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const formTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Whether a request is a form submission (the kind a foreign page can send) from another site. */
export function isCrossSiteForm(request: Request, forwardedHostHeader?: string): boolean {
  if (!mutating.has(request.method)) return false;
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type && !formTypes.includes(type)) return false;
  const origin = request.headers.get('origin');
  const host = (forwardedHostHeader && request.headers.get(forwardedHostHeader)) || request.headers.get('host');
  if (!origin || !host) return true;
  try {
    return new URL(origin).host !== host.toLowerCase();
  } catch {
    return true;
  }
}
