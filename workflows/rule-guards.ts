/**
 * What every action's rule asks first: the stage it needs, and who may take it (the nomination's own dinas
 * kabupaten/kota or dinas provinsi, or a coordinator); and the sizes the rules share.
 */
import { provinceOf } from '../domain/region-codes';
import type { Actor, Stage } from '../domain/types';
import { nominee, type NominationState, provinceCodeOf } from './nomination-state';
import { refuse } from './validation';

type S = Readonly<NominationState>;

/** The largest file the documents table records (a 32-bit size); files are scanned PDFs, far below it. */
export const MAX_DOCUMENT_BYTES = 2_147_483_647;
export const REASON_MAX = 2000;

export function requireStage(s: S, ...stages: Stage[]): void {
  if (!stages.includes(s.stage))
    refuse(`nomination ${s.workflowId} is ${s.stage}; this action needs ${stages.join(' or ')}`, {
      rule: 'wrong_stage',
      params: { stage: s.stage, needs: stages.join(',') },
    });
  if (s.hold)
    refuse(
      `nomination ${s.workflowId} is on hold after the ${s.hold.stage} deadline; a coordinator must decide first`,
      {
        rule: 'on_hold',
        params: { deadline: s.hold.stage },
      },
    );
}

/** The dinas kabupaten/kota of this nomination's own regency (or a coordinator acting for it). */
export function requireOwnDinas(s: S, actor: Actor): void {
  if (actor.role === 'coordinator') return;
  if (actor.role !== 'dinas_kabkota')
    refuse(`role ${actor.role} may not do this; it is the dinas kabupaten/kota's action`, {
      rule: 'dinas_kabkota_only',
      params: { role: actor.role },
    });
  const regency = nominee(s).regencyCode;
  if (actor.region === regency) return;
  const params = { region: actor.region, regency };
  if (provinceOf(actor.region) !== provinceCodeOf(s))
    refuse(`dinas ${actor.region} is in another province; this nomination belongs to ${regency}`, {
      rule: 'other_province',
      params,
    });
  refuse(`dinas ${actor.region} may not act for ${regency}; only its own dinas kabupaten/kota may`, {
    rule: 'other_regency',
    params,
  });
}

/** The dinas provinsi of this nomination's province. */
export function requireOwnProvinsi(s: S, actor: Actor): void {
  const province = provinceCodeOf(s);
  if (actor.role !== 'dinas_provinsi')
    refuse(`role ${actor.role} may not do this; it is the dinas provinsi's pre-screen (province ${province})`, {
      rule: 'dinas_provinsi_only',
      params: { role: actor.role, province },
    });
  if (actor.region !== province)
    refuse(
      `dinas provinsi ${actor.region} may not pre-screen a proposal of province ${province}; only its own dinas provinsi may`,
      { rule: 'other_province_prescreen', params: { region: actor.region, province } },
    );
}

export function requireCoordinator(actor: Actor): void {
  if (actor.role !== 'coordinator')
    refuse(`role ${actor.role} may not do this; only a coordinator may`, {
      rule: 'coordinator_only',
      params: { role: actor.role },
    });
}
