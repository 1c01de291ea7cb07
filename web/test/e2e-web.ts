/** Browser-test helpers: Debian's Chromium on a fresh profile, where screenshots go. (The app is served by web-server.ts.) */
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const webDir = path.resolve(import.meta.dirname, '..');
/** Screenshots land here (gitignored). */
export const artifactsDir = path.resolve(webDir, '..', 'test-artifacts');

/** Chromium flags for a quiet, reproducible headless run. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium on a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchChromium(
  profileDir: string,
  viewport = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  await fs.rm(profileDir, { recursive: true, force: true });
  await fs.mkdir(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
  });
}
