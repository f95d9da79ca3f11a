/** Where a worker of the bare baseline workflow finds its code: the bundle entry beside this file (workflows.ts). */
import { fileURLToPath } from 'node:url';

export const BENCH_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));
