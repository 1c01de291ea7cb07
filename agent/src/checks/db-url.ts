/** Connection-string helpers that do not need the Postgres driver (settings use them; the driver loads only when a database is configured). */

/** The default name of a target: the database named in its URL. */
export function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  } catch {
    return 'postgres';
  }
}

/** Removes a password from any text that might quote the connection string. */
export function redact(text: string, url: string): string {
  try {
    const pw = new URL(url).password;
    return pw ? text.split(pw).join('***').split(decodeURIComponent(pw)).join('***') : text;
  } catch {
    return text;
  }
}
