/** Keeps one warm worker per function: starts on first call, replaces crashed or changed ones, stops idle ones. */
import { FunctionLog } from './logs.ts';
import { BootError, Worker, type NpmMode, type WorkerOptions } from './worker.ts';

/** Everything a worker needs except what the pool decides (npm mode, log). */
export type WorkerSpec = Omit<WorkerOptions, 'npm' | 'log'>;

interface Slot {
  worker: Worker | null;
  starting: Promise<Worker> | null;
  /** Bumped on every file change, so a worker booted from old files is not kept. */
  generation: number;
  npm: NpmMode;
  lastUsed: number;
  log: FunctionLog;
}

/** Deno's answer when an `npm:` import is not in the project's node_modules. */
const MISSING_IN_NODE_MODULES = /Could not find a matching package for 'npm:|Could not find a package\.json/;

export interface PoolOptions {
  /** Stop a worker after this long without requests. */
  idleMs: number;
  /** How long a retired worker may finish its in-flight requests (e.g. an open event stream). */
  graceMs: number;
  print: ((line: string) => void) | null;
}

/** The per-function worker registry. */
export class WorkerPool {
  readonly #slots = new Map<string, Slot>();
  readonly #opts: PoolOptions;
  readonly #sweeper: NodeJS.Timeout;
  readonly #retiring = new Map<Worker, Promise<void>>();
  #stopped = false;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, Math.min(opts.idleMs / 2, 30_000)));
    this.#sweeper.unref();
  }

  /** The function's log (last lines, printed with its name). */
  log(name: string): FunctionLog {
    return this.#slot(name).log;
  }

  /** A ready worker for `name`, booting one if needed; throws BootError when the function cannot start. */
  async acquire(name: string, spec: () => WorkerSpec): Promise<Worker> {
    if (this.#stopped) throw new BootError('The functions service is stopping', []);
    const slot = this.#slot(name);
    slot.lastUsed = Date.now();
    if (slot.worker && !slot.worker.exited) return slot.worker;
    slot.starting ??= this.#boot(slot, spec).finally(() => {
      slot.starting = null;
    });
    return slot.starting;
  }

  async #boot(slot: Slot, spec: () => WorkerSpec): Promise<Worker> {
    const generation = slot.generation;
    let worker = new Worker({ ...spec(), npm: slot.npm, log: slot.log });
    try {
      await worker.ready;
    } catch (err) {
      if (
        !(err instanceof BootError) ||
        slot.npm !== 'project' ||
        !err.output.some((l) => MISSING_IN_NODE_MODULES.test(l))
      )
        throw err;
      // An npm package the project has not installed: fetch it from the registry into Deno's cache instead.
      slot.log.line('npm package not in node_modules; resolving npm: imports from the registry');
      slot.npm = 'registry';
      worker = new Worker({ ...spec(), npm: slot.npm, log: slot.log });
      await worker.ready;
    }
    if (this.#stopped || generation !== slot.generation) {
      // Files changed (or the stack stopped) while booting: serve this one request, then let it go.
      void this.#retire(worker);
      return worker;
    }
    slot.worker = worker;
    void worker.exit.then(() => {
      if (slot.worker === worker) slot.worker = null;
    });
    return worker;
  }

  /** Replaces the named functions' workers (after a file change); the next request boots a fresh one. */
  reload(names: Iterable<string> | 'all'): void {
    const slots =
      names === 'all'
        ? [...this.#slots.values()]
        : [...names].map((n) => this.#slots.get(n)).filter((s) => s !== undefined);
    for (const slot of slots) {
      slot.generation++;
      slot.npm = 'project';
      if (slot.worker) void this.#retire(slot.worker);
      slot.worker = null;
    }
  }

  /** Live worker process ids (tests check none survive `stop`). */
  pids(): number[] {
    return [...this.#slots.values()].flatMap((s) =>
      s.worker?.pid !== undefined && !s.worker.exited ? [s.worker.pid] : [],
    );
  }

  /** Stops every worker and waits for the processes to exit. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    const starting = [...this.#slots.values()].map((s) => s.starting?.catch(() => null));
    await Promise.all(starting);
    const workers = [...this.#slots.values()].flatMap((s) => (s.worker ? [s.worker] : []));
    await Promise.all([...workers, ...this.#retiring.keys()].map((w) => w.stop()));
  }

  #retire(worker: Worker): Promise<void> {
    const p = worker.retire(this.#stopped ? 0 : this.#opts.graceMs).finally(() => this.#retiring.delete(worker));
    this.#retiring.set(worker, p);
    return p;
  }

  #sweep(): void {
    const now = Date.now();
    for (const slot of this.#slots.values()) {
      const w = slot.worker;
      if (w && w.inflight === 0 && now - slot.lastUsed > this.#opts.idleMs) {
        slot.worker = null;
        void this.#retire(w);
      }
    }
  }

  #slot(name: string): Slot {
    let slot = this.#slots.get(name);
    if (!slot) {
      slot = {
        worker: null,
        starting: null,
        generation: 0,
        npm: 'project',
        lastUsed: 0,
        log: new FunctionLog(name, this.#opts.print),
      };
      this.#slots.set(name, slot);
    }
    return slot;
  }
}
