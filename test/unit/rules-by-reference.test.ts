/**
 * Rules by reference (issue #16 item 4): the rules a workflow holds are stripped of every name and address, keep what
 * its decisions need, and each reference they hold resolves to the person or office the full rules name.
 */
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../bench/drivers';
import { addressOf, type Contacts, nameOf } from '../../activities/recipients';
import { canonicalJson, rulesSha256, stripRules } from '../../activities/rules-by-reference';
import type { CycleRules } from '../../workflows/inputs';

const { regencies: _r, provinces: _p, ...rules } = testConfig('uji-aturan-rujukan');
const full: CycleRules = rules;

describe('stripped rules', () => {
  const stripped = stripRules(full);
  const json = JSON.stringify(stripped);

  it('name no person and hold no address', () => {
    const people = [
      ...full.assessment.assessors.flatMap((a) => [a.name, a.email]),
      ...full.contacts.coordinators,
      full.award!.coaching.ministry!,
    ];
    expect(people.length).toBeGreaterThan(10);
    for (const who of people) expect(json).not.toContain(who);
    expect(json).not.toMatch(/@/);
  });

  it('keep what the workflow decides by: ids, provinces, affiliations, commodities, the number of coordinators', () => {
    expect(
      stripped.assessment.assessors.map(({ id, province, affiliation, commodities }) => ({
        id,
        province,
        affiliation,
        commodities,
      })),
    ).toEqual(
      full.assessment.assessors.map(({ id, province, affiliation, commodities }) => ({
        id,
        province,
        affiliation,
        commodities,
      })),
    );
    expect(stripped.contacts.coordinators).toHaveLength(full.contacts.coordinators.length);
    const { assessment: _a, contacts: _c, award: _w, ...rest } = stripped;
    const { assessment: _fa, contacts: _fc, award: _fw, ...fullRest } = full;
    expect(rest).toEqual(fullRest);
    expect({ ...stripped.award, coaching: { ...stripped.award!.coaching, ministry: undefined } }).toEqual({
      ...full.award,
      coaching: { ...full.award!.coaching, ministry: undefined },
    });
  });

  it('resolve, reference by reference, to the people and offices of the full rules', () => {
    const contacts: Contacts = { rules: full, regencyCode: '32.05', dinasEmail: null };
    for (const [i, a] of stripped.assessment.assessors.entries()) {
      expect(addressOf(contacts, a.email)).toBe(full.assessment.assessors[i].email);
      expect(nameOf(contacts, a.name)).toBe(full.assessment.assessors[i].name);
    }
    expect(stripped.contacts.coordinators.map((c) => addressOf(contacts, c))).toEqual(full.contacts.coordinators);
    expect(addressOf(contacts, stripped.contacts.dinasKabKota)).toBe('disperin.32.05@daerah.example');
    expect(addressOf({ ...contacts, dinasEmail: 'ukm@dinas.example' }, stripped.contacts.dinasKabKota)).toBe(
      'ukm@dinas.example',
    );
    expect(addressOf(contacts, stripped.contacts.dinasProvinsi.replace('{province}', '32'))).toBe(
      'disperin.32@daerah.example',
    );
    expect(addressOf(contacts, stripped.award!.coaching.ministry!)).toBe(full.award!.coaching.ministry);
    // A reference that names nobody resolves to nothing (the mail activity refuses it).
    for (const nobody of ['ref:coordinator:9', 'ref:assessor:penilai-tiada', 'ref:provinsi:{province}', 'ref:x'])
      expect(addressOf(contacts, nobody)).toBeNull();
    expect(nameOf(contacts, 'ref:assessor:penilai-andi')).toBeNull();
  });
});

describe("the rules' hash", () => {
  it('is the same whatever order the keys come in, and changes with any rule', () => {
    const reordered = JSON.parse(canonicalJson(full)) as CycleRules;
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(rulesSha256(reordered)).toBe(rulesSha256(full));
    expect(rulesSha256({ ...full, name: `${full.name} ` })).not.toBe(rulesSha256(full));
    expect(rulesSha256(full)).toMatch(/^[0-9a-f]{64}$/);
  });
});
