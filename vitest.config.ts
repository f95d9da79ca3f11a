import { defineConfig } from 'vitest/config';

// `unit` runs pure domain tests with no servers; `integration` (with `test/chaos/`, the CI slice of `npm run chaos`)
// shares one Temporal dev server, one database and one SMTP sink per run, started in globalSetup (test/global-setup.ts).
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
          include: ['test/integration/**/*.test.ts', 'test/chaos/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One worker process per file keeps workflow bundles and DB pools apart; files run one after another so
          // that a 2-core machine does not starve the dev server.
          fileParallelism: false,
        },
      },
    ],
  },
});
