/** Function log lines: split into lines, prefixed with the function's name, printed or kept quiet, last lines kept. */

/** Keeps the last lines of one function's output and forwards each line to a sink. */
export class FunctionLog {
  readonly name: string;
  readonly #lines: string[] = [];
  readonly #max: number;
  readonly #print: ((line: string) => void) | null;

  constructor(name: string, print: ((line: string) => void) | null, max = 50) {
    this.name = name;
    this.#print = print;
    this.#max = max;
  }

  /** Records one line (without its newline). */
  line(text: string): void {
    this.#lines.push(text);
    if (this.#lines.length > this.#max) this.#lines.shift();
    this.#print?.(`[fn:${this.name}] ${text}`);
  }

  /** The most recent lines, oldest first. */
  tail(n = this.#max): string[] {
    return this.#lines.slice(-n);
  }
}

/** Turns a byte stream into lines; `flush` emits a final unterminated line. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    flush() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}
