/** What every `vibe-agent` subcommand is handed by the entry point. */
import type { CliOptions } from './args.ts';

/** The parsed command line and the process facts a subcommand reads. */
export interface CommandContext {
  options: CliOptions;
  env: NodeJS.ProcessEnv;
  /** The whole command line after the script (command first). */
  argv: readonly string[];
  /** What starts this agent again: the executable's absolute path, or node and the absolute path of cli.ts. */
  self: string[];
  /** Writes to standard output. */
  write(text: string): void;
}

/** One subcommand; it throws an Error whose message the entry point prints before exiting 1. */
export type Command = (ctx: CommandContext) => Promise<void>;
