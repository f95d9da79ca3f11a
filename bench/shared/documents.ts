/**
 * Files that pass for documents: the leading bytes each type is recognised by (as file-type reads them), then random
 * content, so every file has a checksum of its own. Used by the API's document tests and by `npm run bench:api`.
 */
import { randomBytes } from 'node:crypto';

export type SampleType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** A file of about `size` bytes whose content is of `type`. */
export function sampleDocument(type: SampleType, size: number): Buffer {
  return Buffer.concat(sampleDocumentParts(type, [randomBytes(Math.max(16, size - 64))]));
}

/** The pieces of a document of `type` around `content` (which may share one large buffer), for a streamed body. */
export function sampleDocumentParts(type: SampleType, content: Buffer[]): Buffer[] {
  switch (type) {
    case 'application/pdf':
      return [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), ...content, Buffer.from('\n%%EOF\n')];
    case 'image/jpeg':
      return [Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), ...content, Buffer.from('ffd9', 'hex')];
    case 'image/png': {
      // Signature and a 1×1 IHDR, then the content as one IDAT chunk and IEND.
      const length = Buffer.alloc(4);
      length.writeUInt32BE(content.reduce((n, c) => n + c.length, 0));
      return [
        Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
        length,
        Buffer.from('IDAT'),
        ...content,
        randomBytes(4),
        Buffer.from('0000000049454e44ae426082', 'hex'),
      ];
    }
  }
}
