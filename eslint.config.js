// ESLint flat config: the recommended JS and TypeScript rules, two type-aware promise rules, and the import boundaries
// between the project's parts. Formatting is Prettier's job (.prettierrc.json); eslint-config-prettier comes last so
// that no rule here argues with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Import boundaries. Each group is a `no-restricted-imports` pattern with the reason in its message. A later config
// object replaces an earlier one's options for the same rule (they do not merge), so every area below lists all the
// groups that apply to it, and the `files` globs of the areas do not overlap.

/** Matches a relative import of the top-level folder `dir` (`../dir/x`, `../../dir/x`). */
const folder = (dir) => `^(\\.{1,2}/)+${dir}(/|$)`;

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

const workflowSandbox = [
  {
    regex: `^(node:|(${nodeBuiltins.join('|')})(/|$))`,
    allowTypeImports: true,
    message:
      'Workflow code runs in the deterministic Temporal sandbox, which has no Node built-ins: do this in an activity.',
  },
  {
    regex:
      '^(pg|kysely|nodemailer|yaml|idn-area-data|smtp-server|mailparser|csv-parse|commander|cli-progress|p-retry|tsx)(/|$)|^@temporalio/(client|worker|activity|testing|envconfig)(/|$)|^@electric-sql/',
    allowTypeImports: true,
    message:
      'Workflow code must not do I/O (database, mail, files, Temporal client): call an activity; `import type` is fine.',
  },
  {
    regex: '^(\\.{1,2}/)+(domain/)?(regions|cycle-config)$',
    allowTypeImports: true,
    message:
      'domain/regions.ts and domain/cycle-config.ts read files (Node-only); workflows get the codes in CycleConfig, and domain/region-codes.ts has the pure helpers.',
  },
  {
    regex: folder('(activities|db|worker|client|common|embedded|demo)'),
    allowTypeImports: true,
    message:
      'Workflow code may import only workflows/ and the workflow-safe domain/ at runtime; other parts as types only.',
  },
];

const noBench = {
  regex: folder('bench'),
  message: 'bench/ is the measurement harness, not part of the product: product code must not depend on it.',
};
const benchOnlyThroughDrivers = {
  regex: `${folder('bench')}(?!drivers$)`,
  message: 'Tests reach the bench harness only through bench/drivers.ts, so bench internals can change freely.',
};
const clientNotWorker = {
  regex: folder('worker'),
  message: 'The CLI (client/) must not import the worker: put what both need in common/.',
};
const workerNotClient = {
  regex: folder('client'),
  message: 'The worker must not import the CLI (client/): put what both need in common/.',
};

const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

const nodeOnlyDomain = ['domain/regions.ts', 'domain/cycle-config.ts'];

export default defineConfig(
  globalIgnores(['**/node_modules/', '.ovop/', 'dist/', 'bench/results/', 'test/fixtures/histories/', '**/*.json']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error and its ordering: in an activity, a workflow or the CLI alike.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Kysely's migrations take `Kysely<any>` by design: a migration must not depend on today's schema types.
    // Tests build deliberately malformed inputs, where `any` is the honest type.
    files: ['db/migrations/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS modules the SDK require()s (common/failure-converter.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Its late outcome is polled from the workflow's current run, which a nomination's stage change replaces
    // (common/run-update.ts). Tests drive single workflows on a quiet server and may use it.
    files: ['**/*.ts'],
    ignores: ['test/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          property: 'executeUpdate',
          message: 'Use runUpdate (common/run-update.ts): it reads the outcome from the run that accepted the update.',
        },
      ],
    },
  },
  restrict(['workflows/**/*.ts', 'domain/**/*.ts'], [...workflowSandbox, noBench], nodeOnlyDomain),
  restrict(['client/**/*.ts'], [clientNotWorker, noBench]),
  restrict(['worker/**/*.ts'], [workerNotClient, noBench]),
  restrict(
    ['**/*.ts', '**/*.js'],
    [noBench],
    ['workflows/**', 'domain/**', 'client/**', 'worker/**', 'bench/**', 'test/**'],
  ),
  restrict(nodeOnlyDomain, [noBench]),
  restrict(['test/**/*.ts'], [benchOnlyThroughDrivers]),
  prettier,
);
