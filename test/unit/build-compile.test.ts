/**
 * build/compile.ts: what tsc emits for `npm run build` runs under plain node (no tsx), with the source's extensionless
 * imports; and a specifier plain node would not find fails the build, not the first start in production.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../build/compile';

let dir: string;

function project(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'ovop-build-'));
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022'],
        types: [],
        strict: true,
        isolatedModules: true,
        outDir: 'dist',
        rootDir: '.',
      },
      include: ['src'],
    }),
    // The one global the sources use, instead of the DOM's or Node's types (quicker to check).
    'src/console.d.ts': 'declare const console: { log(...values: unknown[]): void };',
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, 'tsconfig.json');
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

// The TypeScript compiler takes a few seconds to start on a busy machine.
describe('compile for plain node', { timeout: 60_000 }, () => {
  it('rewrites relative imports, folder imports, re-exports and dynamic imports to the emitted files', () => {
    const tsconfig = project({
      'src/main.ts': [
        "import { greet } from './lib';",
        "import { answer, type Answer } from './numbers';",
        "export * from './lib';",
        'const a: Answer = answer;',
        "const { later } = await import('./lazy');",
        'console.log(greet(String(a)), later);',
      ].join('\n'),
      'src/lib.ts': 'export const greet = (who: string) => `hello ${who}`;',
      'src/numbers/index.ts': "export type Answer = number;\nexport { answer } from '../numbers/value';",
      'src/numbers/value.ts': 'export const answer = 42;',
      'src/lazy.ts': "export const later = 'loaded later';",
    });

    expect(compile(tsconfig).files).toBe(6);
    const run = spawnSync(process.execPath, [join(dir, 'dist/src/main.js')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('hello 42 loaded later\n');
  });

  it('fails the build on an import that names no file, and writes nothing', () => {
    const tsconfig = project({
      'src/main.ts': "import { gone } from './gone.cjs';\nimport { greet } from './lib';\nconsole.log(greet, gone);",
      'src/lib.ts': 'export const greet = 1;\nexport const gone = 2;',
    });
    // The type checker refuses a module it cannot find before anything is emitted.
    expect(() => compile(tsconfig)).toThrow(/Cannot find module '\.\/gone\.cjs'/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('refuses an extensionless file inside a package without an exports map', () => {
    const tsconfig = project({
      'src/main.ts': "import { helper } from 'legacy-pkg/lib/helper';\nconsole.log(helper);",
      'node_modules/legacy-pkg/package.json': JSON.stringify({ name: 'legacy-pkg', version: '1.0.0' }),
      'node_modules/legacy-pkg/lib/helper.js': 'exports.helper = 1;',
      'node_modules/legacy-pkg/lib/helper.d.ts': 'export declare const helper: number;',
    });
    expect(() => compile(tsconfig)).toThrow(
      "write 'legacy-pkg/lib/helper.js': its package has no exports map, and Node's ESM loader adds no extension",
    );
  });
});
