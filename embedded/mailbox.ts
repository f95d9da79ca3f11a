/**
 * Reads what the SMTP sink received (mail-store.ts writes it): every .eml under the mail folder, parsed with mailparser.
 * For the tests and the chaos checks; mailparser is a dev dependency, so nothing that runs in production imports this.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReceivedMail {
  file: string;
  key: string;
  template: string;
  workflowId: string;
  messageId: string;
  subject: string;
  to: string[];
  cc: string[];
  text: string;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? ''));

const parsedCache = new Map<string, ReceivedMail>();

export async function readMailbox(dir: string): Promise<ReceivedMail[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort();
  const out: ReceivedMail[] = [];
  for (const file of files) {
    let mail = parsedCache.get(file);
    if (!mail) {
      const parsed = await simpleParser(readFileSync(join(dir, file)));
      const header = (name: string) => String(parsed.headers.get(name) ?? '');
      mail = {
        file,
        key: header('x-ovop-key'),
        template: header('x-ovop-template'),
        workflowId: header('x-ovop-workflow'),
        messageId: parsed.messageId ?? '',
        subject: parsed.subject ?? '',
        to: addresses(parsed.to),
        cc: addresses(parsed.cc),
        text: parsed.text ?? '',
      };
      parsedCache.set(file, mail);
    }
    out.push(mail);
  }
  return out;
}

/** Mail about one workflow, in the order received. */
export async function mailFor(dir: string, workflowId: string): Promise<ReceivedMail[]> {
  return (await readMailbox(dir)).filter((m) => m.workflowId === workflowId);
}
