/**
 * `npm start -- --no-demo` (tsx demo/main.ts --no-demo) as a user runs it: its own embedded stack (Temporal dev
 * server, PGlite, SMTP sink) and worker come up without the demo and its cycle, serve the CLI with the variables it
 * prints, and stop cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../embedded/ports';
import { cliRunner, REPO_ROOT } from '../support/cli';
import { waitFor } from '../support/harness';

let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function waitForOutput(proc: ChildProcess, output: { text: string }, marker: string, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${marker}" within ${timeoutMs} ms:\n${output.text}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.text.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before "${marker}":\n${output.text}`));
    });
    check();
  });
}

describe('npm start -- --no-demo', () => {
  it('starts the embedded stack and a worker without the demo, serves the CLI, and stops on Ctrl-C', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'ovop-no-demo-'));
    const [temporalPort, uiPort, pgPort, smtpPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OVOP_STATE_DIR: stateDir,
      OVOP_TEMPORAL_PORT: String(temporalPort),
      OVOP_UI_PORT: String(uiPort),
      OVOP_PG_PORT: String(pgPort),
      OVOP_SMTP_PORT: String(smtpPort),
    };
    // The embedded services, not the suite's.
    for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'DATABASE_URL', 'SMTP_URL', 'OVOP_TASK_QUEUE'])
      delete env[name];
    const output = { text: '' };
    const started = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--no-demo'], { cwd: REPO_ROOT, env });
    child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()));
    await waitForOutput(child, output, 'Press Ctrl-C to stop.', 150_000);
    const upInSeconds = (Date.now() - started) / 1000;

    expect(output.text).toContain('Without the demo (--no-demo).');
    expect(output.text).not.toContain('ovop-demo-');
    expect(output.text).not.toContain('nominations settled');
    const exports =
      /export TEMPORAL_ADDRESS=(\S+) DATABASE_URL='([^']+)' SMTP_URL=(\S+) OVOP_TASK_QUEUE=(\S+) OVOP_API_URL=(\S+)/.exec(
        output.text,
      );
    expect(exports, output.text).not.toBeNull();
    const [, address, , , taskQueue, apiUrl] = exports!;
    // The coordinator's token, printed for the API and the CLI's actor commands.
    const coordinatorToken = /coordinator\s+koordinator-ikma\s+curl -H 'Authorization: Bearer (\S+)'/.exec(output.text);
    expect(coordinatorToken, output.text).not.toBeNull();
    expect(address).toBe(`127.0.0.1:${temporalPort}`);

    // The portal: its address and a one-time sign-in link per demo role, which signs the browser in to its page.
    expect(output.text).toMatch(/Portal: http:\/\/127\.0\.0\.1:\d+\/ /);
    const garutLink = /dinas_kabkota\s+disperin-32\.05\s+(http:\/\/\S+\/masuk\/\S+)/.exec(output.text);
    expect(garutLink, output.text).not.toBeNull();
    const linkPage = await fetch(garutLink![1]);
    expect(linkPage.status).toBe(200);
    expect(await linkPage.text()).toContain(`<form method="post" action="${new URL(garutLink![1]).pathname}">`);
    const signedIn = await fetch(garutLink![1], { method: 'POST', redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/dinas');
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0];
    const dinasPage = await fetch(new URL('/dinas', garutLink![1]), { headers: { cookie } });
    expect(dinasPage.status).toBe(200);
    expect(await dinasPage.text()).toContain('<h1>Usulan Kab. Garut</h1>');

    // The CLI works with what it printed: the cycle opens on a queue its worker polls, so there is no warning.
    const ovop = cliRunner(taskQueue);
    const config = join(stateDir, 'cycle.yaml');
    writeFileSync(
      config,
      readFileSync(join(REPO_ROOT, 'examples', 'cycle.yaml'), 'utf8').replace(/^id: ovop-contoh$/m, 'id: tanpa-demo'),
    );
    const cycle = await ovop(['cycle', 'start', '--config', config], {
      token: coordinatorToken![1],
      env: { OVOP_API_URL: apiUrl },
    });
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(cycle.stdout).toContain('Cycle tanpa-demo (Penghargaan OVOP (contoh)) is open.');
    expect(cycle.stderr).not.toContain('no worker');

    const nominated = await ovop(
      [
        'nominate',
        '--cycle',
        'tanpa-demo',
        '--regency',
        '32.05',
        '--ikm',
        'Kopi Garut',
        '--sentra',
        'Sentra Kopi Garut',
        '--commodity',
        'makanan_minuman',
        '--product',
        'Kopi',
        '--sentra-size',
        '9',
      ],
      { token: coordinatorToken![1], env: { OVOP_API_URL: apiUrl } },
    );
    expect(nominated.code, nominated.stderr).toBe(0);
    const nomination = 'ovop/tanpa-demo/nomination/32.05/kopi-garut';

    // Nothing of the demo in the server: only the cycle just opened and its nomination; the documented filter works.
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const list = async (query?: string) => {
        const ids: string[] = [];
        for await (const w of client.workflow.list(query ? { query } : undefined)) ids.push(w.workflowId);
        return ids.sort();
      };
      await waitFor(async () => (await list('OvopCycle = "tanpa-demo"')).length === 1, {
        what: 'the nomination listed',
      });
      expect(await list()).toEqual(['ovop/tanpa-demo/cycle', nomination]);
      expect(await list('OvopCycle STARTS_WITH "ovop-demo-"')).toEqual([]);
      expect(await list('NOT OvopCycle STARTS_WITH "ovop-demo-"')).toEqual([nomination]);
      expect(await list('OvopCycle STARTS_WITH "tanpa-"')).toEqual([nomination]);
    } finally {
      await connection.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Up without the demo's minute of driving nominations (bundling the workflows is most of this).
    console.log(`npm start -- --no-demo served after ${upInSeconds.toFixed(1)} s`);
  });
});
