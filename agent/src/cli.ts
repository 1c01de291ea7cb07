#!/usr/bin/env node
/** The `vibe-agent` command: enroll, run, status, print, install-service, update, version. */
import { isHelp, parseCommandLine, USAGE } from './cli/args.ts';
import {
  enrollCommand,
  installServiceCommand,
  printCommand,
  statusCommand,
  updateCommand,
  versionCommand,
} from './cli/commands.ts';
import type { Command } from './cli/context.ts';
import { runCommand } from './cli/run.ts';

// Each command imports what it needs when it runs, so a long-running `run` never holds the others' modules.
const COMMANDS = new Map<string, Command>([
  ['enroll', enrollCommand],
  ['run', runCommand],
  ['status', statusCommand],
  ['print', printCommand],
  ['install-service', installServiceCommand],
  ['update', updateCommand],
  ['version', versionCommand],
  ['--version', versionCommand],
]);

// The single executable is its own program; from the sources it is node running this file.
const compiled = typeof VIBE_AGENT_BUILD !== 'undefined';
declare const VIBE_AGENT_BUILD: unknown;

function fail(message: string): never {
  process.stderr.write(`vibe-agent: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const { command, options } = parseCommandLine(argv);
  if (isHelp(command)) {
    process.stdout.write(USAGE);
    return;
  }
  const run = COMMANDS.get(command!);
  if (!run) fail(`Unknown command "${command}". Run "vibe-agent help" for the list.`);
  await run({
    options,
    env: process.env,
    argv,
    self: compiled ? [process.execPath] : [process.execPath, import.meta.filename],
    write: (text) => void process.stdout.write(text),
  });
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.message));
