import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// VIBE_WEB_BUILD_DIR builds somewhere other than web/build (scripts/build.ts), so two builds of different
// purposes never pull files from under each other's running server.
const privateDir = process.env.VIBE_WEB_BUILD_DIR;

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ out: privateDir ? `${privateDir}/build` : 'build', precompress: true }),
      ...(privateDir ? { outDir: `${privateDir}/kit` } : {}),
      // adapter-node 6 assumes https unless a proxy header says otherwise, so Kit's origin check would refuse
      // every form post on plain-http installs; src/lib/server/csrf.ts checks Origin against Host instead.
      csrf: { trustedOrigins: ['*'] },
    }),
  ],
});
