/** A dotenv parser for `supabase/functions/.env`, following the quoting rules the Supabase CLI accepts. */

/** Parses `KEY=value` lines: `#` comments, `export ` prefixes, single/double/back quotes, `\n` escapes in double quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*('(?:[^']*)'|"(?:\\.|[^"\\])*"|`[^`]*`|[^\r\n]*)?/gm;
  for (const m of text.matchAll(re)) {
    const key = m[1]!;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([nrt"\\])/g, (_s, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else {
      // An unquoted value ends at an inline comment.
      value = value.replace(/\s+#.*$/, '');
    }
    out[key] = value;
  }
  return out;
}
