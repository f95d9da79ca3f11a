/**
 * The acting person, from `--as` or OVOP_ACTOR, written `role:id:regionCode`:
 *   dinas_kabkota:disperin-garut:32.05 · dinas_provinsi:disperin-jabar:32 · coordinator:ikma-1:00 · assessor:penilai-budi:32
 * The workflows check what the actor may do; this only checks that the string names an actor at all.
 */
import { PROVINCE_CODE, REGENCY_CODE, REGION_CODE } from '../domain/region-codes';
import { loadRegions } from '../domain/regions';
import { type Actor, ROLES, type Role } from '../domain/types';
import { usage } from './errors';

export const ACTOR_FORMAT = 'role:id:regionCode, e.g. dinas_kabkota:disperin-garut:32.05 or coordinator:ikma-1:00';

export function parseActor(text: string, source: string): Actor {
  const fail = (why: string) => usage(`${source} "${text}" is not an actor: ${why} (expected ${ACTOR_FORMAT})`);
  const parts = text.trim().split(':');
  if (parts.length !== 3)
    throw fail(`it has ${parts.length} part${parts.length === 1 ? '' : 's'} separated by ":", not 3`);
  const [role, id, region] = parts.map((p) => p.trim());
  if (!(ROLES as readonly string[]).includes(role)) throw fail(`role must be one of ${ROLES.join(', ')}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,119}$/.test(id))
    throw fail('id must be 1 to 120 letters, digits, ".", "_", "-" or "@"');
  const { provinces, regencies } = loadRegions();
  switch (role as Role) {
    case 'dinas_kabkota':
      if (!REGENCY_CODE.test(region)) throw fail('a dinas kabupaten/kota acts for a kabupaten/kota code such as 32.05');
      if (!Object.hasOwn(regencies, region)) throw fail(`${region} is not a Kemendagri kabupaten/kota code`);
      break;
    case 'dinas_provinsi':
    case 'assessor':
      if (!PROVINCE_CODE.test(region))
        throw fail(`a ${role === 'assessor' ? 'assessor' : 'dinas provinsi'} has a province code such as 32`);
      if (!Object.hasOwn(provinces, region)) throw fail(`${region} is not a Kemendagri province code`);
      break;
    default:
      // Coordinators and auditors work nationally; by convention their region is 00.
      if (!REGION_CODE.test(region)) throw fail('region must be a code such as 00');
  }
  return { role: role as Role, id, region };
}

/** The actor given by `--as`, else OVOP_ACTOR, else none. */
export function actorFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Actor | undefined {
  if (flag !== undefined) return parseActor(flag, '--as');
  const fromEnv = env.OVOP_ACTOR;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseActor(fromEnv, 'OVOP_ACTOR');
  return undefined;
}

export const formatActor = (a: Actor): string => `${a.role}:${a.id}:${a.region}`;
