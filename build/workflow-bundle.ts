/** The workflow code bundled once, as the worker would at start: by `npm run build` and by the tests' setup. */
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { FAILURE_CONVERTER_PATH } from '../common/temporal-connection';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../common/workflow-bundle';
import { WORKFLOWS_PATH } from '../worker/create-worker';

const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as unknown as Logger;

/** Bundles workflows/index.ts, with its interceptors and the failure converter the worker uses, into `outFile`; returns its size in bytes. */
export async function bundleWorkflows(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quiet,
  });
  writeFileSync(outFile, code);
  return Buffer.byteLength(code);
}
