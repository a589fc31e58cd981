// Builds the CLI and the Electron main/preload bundles with esbuild, and the renderer with Vite.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};
// keytar is native; electron is provided by the runtime.
const external = ['electron', 'keytar'];

await build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: 'out/cli.js', external });
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'out/bench.js', external });
await build({ ...common, entryPoints: ['scripts/bench-admin.ts'], outfile: 'out/bench-admin.js', external });
await build({ ...common, entryPoints: ['scripts/bench-relay.ts'], outfile: 'out/bench-relay.js', external });
await build({ ...common, entryPoints: ['scripts/fuzz.ts'], outfile: 'out/fuzz.js', external });
await build({ ...common, entryPoints: ['scripts/serve-browser.ts'], outfile: 'out/serve-browser.js', external });
// the page side of the browser bridge, for start:browser only (never part of the app)
await build({
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  entryPoints: ['scripts/browser-bridge/client.ts'],
  outfile: 'out/bridge-client.js',
  logLevel: 'warning',
});
if (existsSync('main/index.ts')) {
  await build({ ...common, entryPoints: ['main/index.ts'], outfile: 'out/main/index.js', external });
  // the admin domain's worker thread (the main process stays free for the window)
  await build({
    ...common,
    entryPoints: ['main/electron/service-worker.ts'],
    outfile: 'out/main/service-worker.js',
    external,
  });
}
if (existsSync('preload/index.ts')) {
  // Sandboxed preloads run in a restricted CommonJS environment: bundle everything but electron.
  await build({
    ...common,
    platform: 'browser',
    format: 'cjs',
    entryPoints: ['preload/index.ts'],
    outfile: 'out/preload/index.js',
    external: ['electron'],
  });
}
if (existsSync('renderer/index.html')) {
  // the production renderer whoever runs the build: under vitest NODE_ENV is "test", and Vite and
  // the React plugin would then bundle React's development build (jsxDEV, several times slower)
  process.env.NODE_ENV = 'production';
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: 'renderer/vite.config.mjs', logLevel: 'warn' });
}
