/** How a command group hands its actions to the runner (client/program.ts): arguments in, an Outcome out. */
import type { Context, Outcome } from '../context';

export type Run = <A extends unknown[]>(
  fn: (ctx: Context, ...args: A) => Promise<Outcome>,
) => (...raw: unknown[]) => Promise<void>;
