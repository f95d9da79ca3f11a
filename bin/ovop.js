#!/usr/bin/env node
// The `ovop` command. In a checkout with its dev dependencies (npm install) it runs client/cli.ts through tsx, so
// `npx ovop` works with no build step; in a production install (npm ci --omit=dev, no tsx) it runs the compiled CLI
// of `npm run build` (dist/client/cli.js).
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
}
if (tsx) {
  tsx.register();
  await import(new URL('../client/cli.ts', import.meta.url).href);
} else {
  await import(new URL('../dist/client/cli.js', import.meta.url).href);
}
