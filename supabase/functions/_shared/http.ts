/** JSON responses with the CORS headers browsers need to call a function directly. */
export const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

/** A JSON response with CORS headers. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json' },
  });
}

/** An error body that says what was wrong and how to fix it: `{ error: <code>, message }`. */
export function jsonError(status: number, error: string, message: string): Response {
  return json({ error, message }, status);
}

/** What a parsed body is, for error messages: "null", "an array", "a string", … */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Reads a body that must be a JSON object. An empty body is `{}` when `allowEmpty` (pg_net and pg_cron
 * callers may send none); anything else (broken JSON, null, an array, a string, a number) is a 400
 * invalid_body response naming what came and showing `example`, so bad input never reaches the handler.
 */
export async function readJsonObject(
  req: Request,
  example: string,
  allowEmpty = true,
): Promise<Record<string, unknown> | Response> {
  let text: string;
  try {
    text = await req.text();
  } catch {
    return jsonError(400, 'invalid_body', `The body could not be read; send a JSON object like ${example}`);
  }
  if (text.trim() === '') {
    return allowEmpty ? {} : jsonError(400, 'invalid_body', `The body is empty; send a JSON object like ${example}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return jsonError(400, 'invalid_body', `The body is not valid JSON; send a JSON object like ${example}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return jsonError(400, 'invalid_body', `The body must be a JSON object like ${example}, not ${kindOf(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}
