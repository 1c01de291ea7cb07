/** Picks the response media type from `Accept`, as PostgREST negotiates it. */
import { RestError } from './errors.ts';
import type { BodyFormat } from './select-builder.ts';

/** The chosen format and the Content-Type to send. */
export interface Media {
  format: BodyFormat;
  contentType: string;
  /** `Accept: application/vnd.pgrst.plan…`: answer with the EXPLAIN output instead (only when db-plan-enabled). */
  plan?: { format: 'json' | 'text'; options: string[]; for: string };
}

const PLAN_OPTIONS = new Set(['analyze', 'verbose', 'settings', 'buffers', 'wal']);

const JSON_TYPE = 'application/json; charset=utf-8';

/** Chooses the first acceptable media type; throws 406 PGRST107 when none is. */
export function negotiate(accept: string | undefined): Media {
  if (!accept?.trim()) return { format: 'json', contentType: JSON_TYPE };
  for (const part of accept.split(',')) {
    const [type = '', ...paramList] = part.split(';').map((s) => s.trim().toLowerCase());
    const stripped = paramList.includes('nulls=stripped');
    switch (type) {
      case '*/*':
      case 'application/*':
      case 'application/json':
        return { format: 'json', contentType: JSON_TYPE };
      case 'application/vnd.pgrst.array+json':
      case 'application/vnd.pgrst.array':
        return { format: stripped ? 'stripped' : 'json', contentType: JSON_TYPE };
      case 'application/vnd.pgrst.object+json':
      case 'application/vnd.pgrst.object':
        return {
          format: stripped ? 'object-stripped' : 'object',
          contentType: 'application/vnd.pgrst.object+json; charset=utf-8',
        };
      case 'text/csv':
        return { format: 'csv', contentType: 'text/csv; charset=utf-8' };
      case 'application/vnd.pgrst.plan':
      case 'application/vnd.pgrst.plan+json':
      case 'application/vnd.pgrst.plan+text': {
        const raw = part
          .split(';')
          .slice(1)
          .map((s) => s.trim());
        const param = (k: string) =>
          raw
            .find((x) => x.toLowerCase().startsWith(`${k}=`))
            ?.slice(k.length + 1)
            .replaceAll('"', '');
        const options = (param('options') ?? '').split('|').filter((o) => PLAN_OPTIONS.has(o));
        const planFor = param('for') ?? 'application/json';
        const format = type.endsWith('+text') ? 'text' : 'json';
        return {
          format: 'json',
          contentType: `application/vnd.pgrst.plan+${format}; for="${planFor}"; charset=utf-8`,
          plan: { format, options, for: planFor },
        };
      }
    }
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${accept}`, null, null);
}
