/** JSON responses with the CORS headers browsers need to call a function directly. */
export const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

/** A JSON response with CORS headers. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...corsHeaders, 'Content-Type': 'application/json' } });
}

/** An error body that says what was wrong and how to fix it: `{ error: <code>, message }`. */
export function jsonError(status: number, error: string, message: string): Response {
  return json({ error, message }, status);
}
