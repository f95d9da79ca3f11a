import { defineConfig } from 'vitest/config';

// `unit` runs pure domain tests with no servers; `integration` (and `chaos`, outside `npm test`) share one Temporal dev
// server, one database and one SMTP sink per run, started in globalSetup (test/global-setup.ts).
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'forks' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One worker process per file keeps workflow bundles and DB pools apart; files run one after another so
          // that a 2-core machine does not starve the dev server.
          fileParallelism: false,
        },
      },
      {
        // The CI slice of `npm run chaos` (worker SIGKILLs during a run): `npx vitest run --project chaos`. Not in
        // `npm test` yet: a kill between the SMTP server's acceptance of a message and its row being marked sent makes
        // the retried activity send it again (1 duplicate email in 1 of 10 runs, PGlite); see the closing note of #5.
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
