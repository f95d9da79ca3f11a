/**
 * The workflow code of a compiled build: `npm run build` bundles workflows/ once into dist/workflow-bundle.js, and the
 * compiled worker and CLI (run from dist/ with plain node) load that file instead of bundling at start. Run from
 * source through tsx there is no such file, and the workflow code is bundled from workflows/index.ts as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/**
 * The workflow interceptor modules bundled with the workflow code, wherever it is bundled (the build, a worker run
 * from source, every replay): the bundle a history replays on must be the one that recorded it.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  // Compiled (dist/), the module beside this one is the compiled .js: the CLI bundles it with an auditor's workflows.
  fileURLToPath(
    new URL(`../workflows/tracing-interceptors.${import.meta.url.endsWith('.js') ? 'js' : 'ts'}`, import.meta.url),
  ),
];

/** The prebuilt bundle's path when this module runs compiled (a `.js` file in dist/), otherwise undefined. */
export function prebuiltWorkflowBundle(): string | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  const path = fileURLToPath(new URL(`../${WORKFLOW_BUNDLE_FILE}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: the build is incomplete, run npm run build again`);
  return path;
}
