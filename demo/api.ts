/**
 * The API of `npm start`: seeded with the demo's people — a coordinator, an auditor, the dinas kabupaten/kota and
 * dinas provinsi of every province the demo nominates from, and the cycle's assessor pool — and served on loopback
 * next to the worker. It prints a ready API token per role and how to ask for a mailed sign-in link.
 */
import { fileURLToPath } from 'node:url';
import { apiOptionsFromEnv } from '../api/options';
import { buildApi } from '../api/server';
import { createApiToken, createSignInLink } from '../db/credentials';
import { upsertUser, type NewUser } from '../db/users';
import { loadCycleConfig } from '../domain/cycle-config';
import { provinceOf } from '../domain/region-codes';
import { regionDisplayName } from '../domain/regions';
import type { Deps } from '../worker/bootstrap';
import { demoNominations } from './nominations';

/** The demo's users: ids as the scripted actors use them, addresses from the demo cycle's contact patterns. */
export function demoUsers(): NewUser[] {
  const config = loadCycleConfig(fileURLToPath(new URL('../config/cycle.demo.yaml', import.meta.url)));
  const regencies = [...new Set(demoNominations().map((n) => n.input.regencyCode))].sort();
  const provinces = [...new Set(regencies.map(provinceOf))].sort();
  return [
    {
      id: 'koordinator-ikma',
      name: 'Koordinator Ditjen IKMA',
      email: config.contacts.coordinators[0],
      role: 'coordinator',
      region: '00',
    },
    {
      id: 'auditor-itjen',
      name: 'Auditor Itjen Kemenperin',
      email: 'auditor.itjen@ovop.kemenperin.example',
      role: 'auditor',
      region: '00',
    },
    ...regencies.map((code) => ({
      id: `disperin-${code}`,
      name: `Disperin ${regionDisplayName(code)}`,
      email: config.contacts.dinasKabKota.replace('{regency}', code),
      role: 'dinas_kabkota' as const,
      region: code,
    })),
    ...provinces.map((code) => ({
      id: `disperin-${code}`,
      name: `Disperin Provinsi ${regionDisplayName(code)}`,
      email: config.contacts.dinasProvinsi.replace('{province}', code),
      role: 'dinas_provinsi' as const,
      region: code,
    })),
    ...config.assessment.assessors.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      role: 'assessor' as const,
      region: a.province,
    })),
  ];
}

const SHOWN = ['koordinator-ikma', 'auditor-itjen', 'disperin-32.05', 'disperin-32', 'penilai-siti'];

export async function startDemoApi(
  deps: Deps,
  taskQueue: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const options = apiOptionsFromEnv(process.env, { publicUrl: `http://127.0.0.1:${port}`, logRequests: false });
  const users = demoUsers();
  for (const u of users) await upsertUser(deps.db, u);
  const app = await buildApi({ ...deps, taskQueue, options });
  await app.listen({ host: '127.0.0.1', port });
  const url = options.publicUrl;
  console.log(
    `\nHTTP API: ${url}  (OpenAPI: ${url}/api/openapi.json). Sign in as a demo user with a token (valid 1 day):`,
  );
  // One user of each role is enough to try (Garut's dinas, of the 2020 round); `ovop users list` shows all of them.
  for (const id of SHOWN) {
    const u = users.find((x) => x.id === id)!;
    const { token } = await createApiToken(deps.db, u.id, { name: 'npm start', ttlDays: 1 });
    console.log(
      `  ${u.role.padEnd(15)} ${u.id.padEnd(17)} curl -H 'Authorization: Bearer ${token}' ${url}/api/nominations`,
    );
  }
  console.log(
    `  or by mail: curl -H 'content-type: application/json' -d '{"email":"${users.find((u) => u.id === 'disperin-32.05')!.email}"}' ${url}/api/sign-in/link — the link lands in the mail folder`,
  );
  // The portal: one ready sign-in link per role (single use, like a mailed one), or ask for one by mail on its page.
  console.log(
    `\nPortal: ${url}/  Sign in as a demo user (each link works once, for ${options.linkTtlMinutes} minutes):`,
  );
  for (const id of SHOWN) {
    const u = users.find((x) => x.id === id)!;
    const { token } = await createSignInLink(deps.db, u.id, options.linkTtlMinutes);
    console.log(`  ${u.role.padEnd(15)} ${u.id.padEnd(17)} ${url}/masuk/${token}`);
  }
  console.log(
    `  or on ${url}/masuk enter a demo address (e.g. ${users.find((u) => u.id === 'disperin-32.05')!.email}); the link lands in the mail folder`,
  );
  return { url, close: () => app.close() };
}
