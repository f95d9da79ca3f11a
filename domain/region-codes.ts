/**
 * Kemendagri region codes as text: `PP` for a province, `PP.KK` for a kabupaten/kota (e.g. 32.05 Kab. Garut).
 * Workflow-safe (no I/O); which codes exist and their names come from domain/regions.ts on the Node side.
 */

/** A province code: two digits, e.g. `32`. */
export const PROVINCE_CODE = /^\d{2}$/;
/** A kabupaten/kota code: province, dot, two digits, e.g. `32.05`. */
export const REGENCY_CODE = /^\d{2}\.\d{2}$/;
/** Either kind of code; an actor's region is one of these. */
export const REGION_CODE = /^\d{2}(\.\d{2})?$/;

/** The province part of a kabupaten/kota code: `32.05` → `32`. Pure string work; the code need not exist. */
export function provinceOf(regencyCode: string): string {
  return regencyCode.split('.')[0] ?? '';
}
