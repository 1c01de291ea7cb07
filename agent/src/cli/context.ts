/** What every `vibe-agent` subcommand is handed by the entry point. */
import type { CliOptions } from './args.ts';

/** The parsed command line and the process facts a subcommand reads. */
export interface CommandContext {
  options: CliOptions;
  env: NodeJS.ProcessEnv;
  /** The whole command line after the script (command first), for re-executing `run`. */
  argv: readonly string[];
  /** Absolute path of the entry script (cli.ts, or cli.js in the stripped copy). */
  cliPath: string;
  /** Writes to standard output. */
  write(text: string): void;
}

/** One subcommand; it throws an Error whose message the entry point prints before exiting 1. */
export type Command = (ctx: CommandContext) => Promise<void>;
