/** Watches the functions folder and reports which functions changed, debounced, so editors' bursts of writes cause one reload. */
import fs from 'node:fs';
import { isFunctionName } from './names.ts';

/** What changed: some functions, or something shared (`_shared/`, `.env`, `deno.json`) that affects them all. */
export type FunctionsChange = { all: true } | { all: false; names: Set<string> };

/** Starts watching; returns a function that stops. A missing folder is not watched. */
export function watchFunctions(dir: string, onChange: (change: FunctionsChange) => void, debounceMs = 150): () => void {
  let watcher: fs.FSWatcher;
  try {
    watcher = fs.watch(dir, { recursive: true, persistent: false });
  } catch {
    return () => {};
  }
  let names = new Set<string>();
  let all = false;
  let timer: NodeJS.Timeout | null = null;
  watcher.on('error', () => {}); // the folder was removed; the next start watches again
  watcher.on('change', (_event, filename) => {
    const first = String(filename ?? '').split(/[\\/]/)[0] ?? '';
    if (isFunctionName(first)) names.add(first);
    else all = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const change: FunctionsChange = all ? { all: true } : { all: false, names };
      names = new Set();
      all = false;
      onChange(change);
    }, debounceMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
