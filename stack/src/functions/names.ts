/** Which folder names are functions: letters, digits, `_` and `-`, and not `_`-prefixed (`_shared` holds shared code). */

const NAME = /^[A-Za-z0-9_-]+$/;

/** True when `name` can be a function (and so a `/functions/v1/<name>` path). */
export function isFunctionName(name: string): boolean {
  return NAME.test(name) && !name.startsWith('_');
}
