import { describe, expect, it } from 'vitest';
import { recipientLabel } from '../../client/recipient-label';

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
});
