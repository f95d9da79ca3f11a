/**
 * `npm run build`: dist/ for production. The product's code compiled by tsc (tsconfig.build.json, build/compile.ts)
 * and the workflow code bundled once, so every service runs with plain node (docs/deployment.md).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_BUNDLE_FILE } from '../common/workflow-bundle';
import { compile } from './compile';
import { bundleWorkflows } from './workflow-bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

try {
  // From scratch: a file left from a deleted source (a migration above all) must not run in production.
  rmSync(dist, { recursive: true, force: true });
  let start = performance.now();
  const { files } = compile(join(root, 'tsconfig.build.json'));
  console.log(`dist/: ${files} modules compiled by tsc in ${seconds(start)} s`);

  // The portal's stylesheet and script, beside the compiled module that serves them (api/portal/index.ts).
  cpSync(join(root, 'api/portal/assets'), join(dist, 'api/portal/assets'), { recursive: true });

  // The failure converter stays CommonJS (the SDK require()s it) and is not a tsc input.
  cpSync(join(root, 'common/failure-converter.cjs'), join(dist, 'common/failure-converter.cjs'));

  // The CLI reads its version from the package.json above its folder; "type": "module" keeps dist/ ESM on its own.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  writeFileSync(
    join(dist, 'package.json'),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`,
  );

  start = performance.now();
  const bytes = await bundleWorkflows(join(dist, WORKFLOW_BUNDLE_FILE));
  console.log(`dist/${WORKFLOW_BUNDLE_FILE}: ${(bytes / 1024).toFixed(0)} kB, bundled in ${seconds(start)} s`);
} catch (err) {
  console.error(`Build failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
