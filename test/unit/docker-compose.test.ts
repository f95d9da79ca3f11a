/**
 * docker-compose.yml, checked without a Docker engine (#16 item 2): valid against the Compose Specification's JSON
 * schema (the one dclint ships), clean under dclint, and holding the properties the deployment relies on — supported
 * images at pinned tags, secrets from files only, only the API published, scalable workers, health checks.
 */
import { Ajv } from 'ajv';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = join(ROOT, 'docker-compose.yml');
const DCLINT = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  deploy?: { replicas?: number };
}
const compose = parse(readFileSync(FILE, 'utf8')) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string }>;
};
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema, which refuses what it does not define', () => {
    const schema = JSON.parse(readFileSync(join(DCLINT, 'schemas/compose.schema.json'), 'utf8')) as object;
    // The file names its meta-schema by an https URL Ajv does not register; the schema itself is what matters here.
    const validate = new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.api!.replica = 2;
    expect(validate(broken)).toBe(false);
  });

  it('passes dclint with no finding', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(DCLINT, 'bin/dclint.cjs'), FILE], {
      cwd: ROOT,
    }).catch((err: { stdout: string; stderr: string; code: number }) => {
      throw new Error(`dclint exited ${err.code}:\n${err.stdout}${err.stderr}`);
    });
    expect(`${stdout}${stderr}`.trim()).toBe('');
  }, 60_000);

  it("runs Temporal's supported server image at the CLI's release, with admin-tools jobs of the same release", () => {
    const images = services.map(([, s]) => s.image).filter(Boolean) as string[];
    expect(images.filter((i) => i.includes('auto-setup'))).toEqual([]);
    for (const image of images) expect(image, 'a pinned tag').toMatch(/:[\w.-]+$/);
    expect(images.filter((i) => /:latest$/.test(i))).toEqual([]);
    const server = compose.services.temporal!.image!;
    expect(server).toMatch(/^temporalio\/server:1\.29\.\d+$/);
    const release = server.split(':')[1]!;
    for (const job of ['temporal-schema', 'temporal-setup']) {
      expect(compose.services[job]!.image).toMatch(new RegExp(`^temporalio/admin-tools:${release}-`));
      expect(compose.services[job]!.restart).toBe('no');
    }
    expect(compose.services.temporal!.depends_on!['temporal-schema']!.condition).toBe('service_completed_successfully');
  });

  it('takes every secret from a file, and writes none into an environment', () => {
    for (const [name, secret] of Object.entries(compose.secrets))
      expect(secret.file, name).toMatch(/^\$\{OVOP_SECRETS_DIR:-\.\/deploy\/secrets\}\/\w+$/);
    const defined = Object.keys(compose.secrets);
    for (const [name, s] of services) {
      for (const used of s.secrets ?? []) expect(defined, `${name} uses ${used}`).toContain(used);
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|PWD|SECRET|TOKEN|KEYS?$/.test(key))
          expect(value, `${name}: ${key}`).toMatch(/^\/run\/secrets\/\w+$/);
        expect(String(value), `${name}: ${key}`).not.toMatch(/:\/\/[^/@\s]+:[^/@\s]+@/);
      }
    }
    expect(compose.services.worker!.environment!.OVOP_PAYLOAD_KEYS_FILE).toBe('/run/secrets/ovop_payload_keys');
    expect(compose.services.api!.environment!.OVOP_PAYLOAD_KEYS_FILE).toBe('/run/secrets/ovop_payload_keys');
    for (const name of ['worker', 'api']) {
      expect(compose.services[name]!.environment!.DATABASE_URL_FILE, name).toBe('/run/secrets/ovop_database_url');
      expect(compose.services[name]!.environment!.SMTP_URL_FILE, name).toBe('/run/secrets/smtp_url');
      expect(compose.services[name]!.environment!.DATABASE_URL, name).toBeUndefined();
    }
  });

  it('publishes only the API by default, and the opt-in Web UI on loopback only', () => {
    const published = services.filter(([, s]) => s.ports?.length && !s.profiles?.length).map(([n]) => n);
    expect(published).toEqual(['api']);
    for (const [name, s] of services.filter(([, s]) => s.profiles?.length))
      for (const port of s.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs workers as scalable replicas, and checks the health of every long-running service', () => {
    expect(compose.services.worker!.deploy!.replicas).toBeGreaterThanOrEqual(2);
    for (const [name, s] of services) {
      if (s.restart === 'no') {
        // A one-shot job: whoever needs it waits for its exit, not its health.
        const waiters = services.filter(([, o]) => o.depends_on?.[name]);
        expect(waiters.length, `${name} is needed by some service`).toBeGreaterThan(0);
        for (const [, o] of waiters) expect(o.depends_on![name]!.condition).toBe('service_completed_successfully');
        continue;
      }
      expect(s.healthcheck?.test, `${name} has a health check`).toBeDefined();
    }
  });
});
