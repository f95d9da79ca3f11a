/**
 * Compiles a TypeScript project with tsc's own compiler API, for plain `node`. Node's ESM loader resolves relative
 * imports only by their full file name, and the source imports `./x` and `../activities` as bundlers do; the
 * transformer here writes each relative specifier as the file tsc emits for it (`./x.js`, `../activities/index.js`).
 * The source stays as it is, and a specifier that names no file fails the build instead of the first start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** The package.json of package `name` as Node would find it from `fromFile` (the nearest node_modules up). */
function packageJsonOf(name: string, fromFile: string): { exports?: unknown } | undefined {
  for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
    const path = resolve(dir, 'node_modules', name, 'package.json');
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as { exports?: unknown };
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The emitted name of a specifier written in `fromFile`: a relative one names the emitted file; a bare one stays, but
 * a file inside a package without an `exports` map must carry its extension (`@temporalio/common/lib/x.js`), since
 * Node's ESM loader adds none. Anything plain node would not find is an error here.
 */
export function emittedSpecifier(specifier: string, fromFile: string): string {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    const isFile = parts.length > nameLength && !/\.(js|mjs|cjs|json)$/.test(specifier);
    if (!specifier.startsWith('node:') && isFile) {
      const pkg = packageJsonOf(parts.slice(0, nameLength).join('/'), fromFile);
      if (pkg && pkg.exports === undefined)
        throw new Error(
          `${fromFile}: write '${specifier}.js': its package has no exports map, and Node's ESM loader adds no extension`,
        );
    }
    return specifier;
  }
  if (/\.(js|mjs|cjs|json)$/.test(specifier)) return specifier;
  const base = resolve(dirname(fromFile), specifier);
  if (existsSync(`${base}.ts`)) return `${specifier}.js`;
  if (existsSync(resolve(base, 'index.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  throw new Error(`${fromFile}: import '${specifier}' names no .ts file or folder with index.ts`);
}

function rewriteSpecifiers(context: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  const { factory } = context;
  return (sourceFile) => {
    const literal = (node: ts.Expression) =>
      factory.createStringLiteral(emittedSpecifier((node as ts.StringLiteral).text, sourceFile.fileName));
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      // `await import('./commands/x')`: the CLI loads each command's module when it runs.
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        return factory.updateCallExpression(node, node.expression, node.typeArguments, [
          literal(node.arguments[0]),
          ...node.arguments.slice(1),
        ]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(sourceFile, visit, context);
  };
}

/** Type-checks and emits the project of `tsconfigPath`; throws with tsc's diagnostics if there are any. */
export function compile(tsconfigPath: string, overrides: ts.CompilerOptions = {}): { files: number } {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigPath, overrides, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${tsconfigPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  // Types first: the emitted files are only written when the whole project checks.
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...parsed.errors];
  if (diagnostics.length === 0) {
    const result = program.emit(undefined, undefined, undefined, false, { after: [rewriteSpecifiers] });
    diagnostics.push(...result.diagnostics);
  }
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: ts.sys.getCurrentDirectory,
      getNewLine: () => '\n',
    };
    throw new Error(ts.formatDiagnostics(diagnostics, host));
  }
  return { files: program.getRootFileNames().length };
}
