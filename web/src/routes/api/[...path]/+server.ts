/** Unknown /api paths answer with a JSON error instead of the HTML 404 page. */
import type { RequestHandler } from './$types';
import { ApiError, errorResponse } from '#lib/server/api-error.ts';

const notFound: RequestHandler = ({ url }) =>
  errorResponse(
    new ApiError(
      404,
      'not_found',
      `No API endpoint ${url.pathname}: use /api/monitoring/servers or /api/monitoring/performance`,
    ),
  );

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
