import { describe, expect, it } from 'vitest';
import { labelReferences, recipientLabel } from '../../client/recipient-label';

describe('the audit trail names a recipient', () => {
  it('says in words who a reference names and keeps the reference', () => {
    expect(recipientLabel('ref:dinas')).toBe('the dinas kabupaten/kota (ref:dinas)');
    expect(recipientLabel('ref:provinsi:32')).toBe('the dinas provinsi 32 (ref:provinsi:32)');
    expect(recipientLabel('ref:coordinator:0')).toBe('coordinator 1 (ref:coordinator:0)');
    expect(recipientLabel('ref:assessor:penilai-siti')).toBe('assessor penilai-siti (ref:assessor:penilai-siti)');
    expect(recipientLabel('ref:ministry')).toBe("the ministry's coaching office (ref:ministry)");
  });

  it('leaves an address, and a reference of no known role, as they are', () => {
    expect(recipientLabel('disperin.32.05@daerah.example')).toBe('disperin.32.05@daerah.example');
    expect(recipientLabel('ref:somebody:1')).toBe('ref:somebody:1');
  });

  it("says the references inside an event's payload in words, and leaves the rest as it is", () => {
    expect(
      labelReferences({ stars: 4, coaching: { level: 'nasional', office: 'ref:ministry' }, notes: ['ref:dinas', 1] }),
    ).toEqual({
      stars: 4,
      coaching: { level: 'nasional', office: "the ministry's coaching office (ref:ministry)" },
      notes: ['the dinas kabupaten/kota (ref:dinas)', 1],
    });
  });
});
