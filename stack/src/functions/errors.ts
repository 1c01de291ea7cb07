/** The error responses the Supabase functions gateway and edge-runtime send, with their exact bodies. */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../gateway/http.ts';

/** Bodies of the platform errors, as hosted and `supabase functions serve` return them. */
export const FUNCTION_ERRORS = {
  notFound: { status: 404, body: { code: 'NOT_FOUND', message: 'Requested function was not found' } },
  bootError: { status: 503, body: { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' } },
  workerError: {
    status: 500,
    body: { code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
  },
  workerLimit: {
    status: 546,
    body: { code: 'WORKER_LIMIT', message: 'Worker failed to respond due to a resource limit (please check logs)' },
  },
} as const;

export type FunctionErrorKind = keyof typeof FUNCTION_ERRORS;

/** Sends a platform error with its `sb-error-code` header, or cuts the connection if a response already started. */
export function sendFunctionError(res: ServerResponse, kind: FunctionErrorKind): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = FUNCTION_ERRORS[kind];
  sendJson(res, status, body, { 'sb-error-code': body.code });
}
