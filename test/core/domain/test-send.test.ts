import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage } from '../../../main/core/engine/smime';
import { buildEnvelope } from '../../../main/core/relay/pipeline';
import { seededService } from '../../helpers/admin';
import { TestPki } from '../../helpers/pki';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const DAY = 86_400_000;

describe('test messages', () => {
  it('the preview shows decisions, signed MIME that verifies, and expiry warnings', async () => {
    const { svc, now } = await seededService(pki);
    const msg = Buffer.from('From: info@example.com\nTo: a@example.org\nSubject: hi\n\nhello\n');
    const r = await svc.testSend(
      'Transactional',
      msg,
      buildEnvelope('info@example.com', ['a@example.org', 'x@softbank.ne.jp']),
      now,
    );
    expect(r.decisions.map((d) => d.action)).toEqual(['sign', 'unsigned']);
    const signed = r.deliveries.find((d) => d.action === 'sign')!;
    expect(signed.verification).toMatchObject({ valid: true, signerEmail: 'info@example.com', fromMatches: true });
    expect(verifyMessage(Buffer.concat(signed.message)).valid).toBe(true);
    expect(signed.warnings).toEqual([]);
    const soon = await svc.testSend(
      'Transactional',
      msg,
      buildEnvelope('', ['a@example.org']),
      new Date(now.getTime() + 355 * DAY),
    );
    expect(soon.deliveries[0]!.warnings.map((w) => [w.code, w.params])).toEqual([
      ['expires-soon', { days: 10, date: expect.any(String) }],
    ]);
    const expired = await svc.testSend(
      'Transactional',
      msg,
      buildEnvelope('', ['a@example.org']),
      new Date(now.getTime() + 400 * DAY),
    );
    expect(expired.decisions[0]).toMatchObject({
      action: 'reject',
      smtp: { code: 451, text: 'S/MIME certificate is expired' },
    });
    expect(expired.deliveries).toEqual([]);
  });

  it('keeps the bytes of an unsigned delivery exactly as given', async () => {
    const { svc, now } = await seededService(pki);
    const msg = Buffer.concat([
      Buffer.from('From: info@example.com\r\nTo: t@docomo.ne.jp\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from([0xe6, 0x97, 0xa5, 0x93, 0xfa, 0x0d, 0x0a]),
    ]);
    const r = await svc.testSend('Transactional', msg, buildEnvelope('info@example.com', ['t@docomo.ne.jp']), now);
    expect(Buffer.concat(r.deliveries[0]!.message).equals(msg)).toBe(true);
  });
});
