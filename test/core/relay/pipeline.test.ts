import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMessage } from '../../../main/core/engine/compose';
import { verifyMessage } from '../../../main/core/engine/smime';
import { loadRelayConfig } from '../../../main/core/relay/config';
import { buildEnvelope, runPipeline } from '../../../main/core/relay/pipeline';
import { seededService } from '../../helpers/admin';
import { opensslVerify, TestPki } from '../../helpers/pki';
import { tempDir } from '../../helpers/stores';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const PASS = 'a long bundle passphrase';

async function relayFromBundle() {
  const seeded = await seededService(pki);
  const out = join(tempDir(), 'bundle.json');
  await seeded.svc.reflect('Transactional', PASS, out);
  return { ...seeded, relay: loadRelayConfig(readFileSync(out), PASS) };
}

describe('the relay pipeline', () => {
  it('a relay signs from the bundle exactly as decided; OpenSSL accepts the result', async () => {
    const { relay, now } = await relayFromBundle();
    const msg = Buffer.from('From: info@example.com\nTo: a@example.org\nSubject: order\n\nThanks for your order.\n');
    const res = await runPipeline(
      relay.policy,
      relay.signerFor,
      msg,
      buildEnvelope('info@example.com', ['a@example.org', 'b@docomo.ne.jp']),
      now,
    );
    expect(res.deliveries.map((d) => [d.action, d.recipients])).toEqual([
      ['sign', ['a@example.org']],
      ['unsigned', ['b@docomo.ne.jp']],
    ]);
    expect(opensslVerify(pki, pki.write('relay.eml', Buffer.concat(res.deliveries[0]!.message))).ok).toBe(true);
    expect(Buffer.concat(res.deliveries[1]!.message).equals(msg)).toBe(true);
    expect(res.deliveries[0]!.size).toBe(Buffer.concat(res.deliveries[0]!.message).length);
  });

  it('keeps a Japanese display name in From and To, RFC 2047 encoded, into the signed message', async () => {
    const { relay, now } = await relayFromBundle();
    const msg = composeMessage({
      from: '山田 太郎 <info@example.com>',
      to: ['佐藤 花子 <hanako@example.org>', '"Sales, Tokyo" <sales@example.org>'],
      cc: [],
      subject: 'ご注文ありがとうございます',
      body: '本文です。\n',
      attachments: [],
      date: now,
    });
    expect(msg.toString('latin1')).toMatch(/^[\x00-\x7f]*$/);
    const env = buildEnvelope('山田 太郎 <info@example.com>', ['佐藤 花子 <hanako@example.org>', 'sales@example.org']);
    expect(env).toEqual({
      mailFrom: 'info@example.com',
      recipients: [{ address: 'hanako@example.org' }, { address: 'sales@example.org' }],
    });
    const res = await runPipeline(relay.policy, relay.signerFor, msg, env, now);
    const signed = Buffer.concat(res.deliveries[0]!.message);
    const text = signed.toString('latin1');
    const decode = (field: string) =>
      new RegExp(`^${field}: .*(?:\r\n[ \t].*)*`, 'm')
        .exec(text)![0]
        .replace(/\r\n[ \t]/g, ' ')
        .replace(/\?= =\?/g, '?==?')
        .replace(/=\?UTF-8\?B\?([^?]+)\?=/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
    expect(decode('From')).toBe('From: 山田 太郎 <info@example.com>');
    expect(text).toContain('"Sales, Tokyo" <sales@example.org>');
    expect(verifyMessage(signed)).toMatchObject({ valid: true, from: 'info@example.com', fromMatches: true });
    expect(opensslVerify(pki, pki.write('ja.eml', signed)).ok).toBe(true);
  });

  it('passes an 8-bit unsigned delivery through byte for byte', async () => {
    const { relay, now } = await relayFromBundle();
    const body = Buffer.from('本文は 8bit のまま。\r\nShift_JIS: ', 'utf8');
    const sjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x0d, 0x0a]); // 日本語 in Shift_JIS
    const msg = Buffer.concat([
      Buffer.from(
        'From: info@example.com\r\nTo: taro@docomo.ne.jp\r\nSubject: =?UTF-8?B?5qGI5YaF?=\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      body,
      sjis,
    ]);
    const res = await runPipeline(
      relay.policy,
      relay.signerFor,
      msg,
      buildEnvelope('info@example.com', ['taro@docomo.ne.jp']),
      now,
    );
    expect(res.decisions[0]).toMatchObject({ action: 'unsigned', reason: 'destination-exception' });
    expect(Buffer.concat(res.deliveries[0]!.message).equals(msg)).toBe(true);
  });

  it('parses once: a message that is not RFC 5322 is refused before any decision', async () => {
    const { relay, now } = await relayFromBundle();
    await expect(
      runPipeline(
        relay.policy,
        relay.signerFor,
        Buffer.from('no header here\n\nbody'),
        buildEnvelope('a@b.example', ['c@d.example']),
        now,
      ),
    ).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
    });
    expect(() => buildEnvelope('a@b.example', ['  ', ''])).toThrow(/needs at least one recipient/);
  });
});

describe('BCC copies in a mail flow', () => {
  it('treats envelope recipients that no address field names as BCC copies, when asked to', async () => {
    const { relay, now, svc } = await relayFromBundle();
    expect(relay.policy.intelligentBcc).toBe(false);
    svc.setIntelligentBcc('Transactional', true);
    const out = join(tempDir(), 'bcc.json');
    await svc.reflect('Transactional', PASS, out);
    const bcc = loadRelayConfig(readFileSync(out), PASS);
    const msg = Buffer.from(
      'From: info@example.com\r\nTo: A <a@example.org>\r\nCc: c@Example.org\r\nSubject: x\r\n\r\nhi\r\n',
    );
    const env = buildEnvelope('info@example.com', ['a@example.org', 'C@example.org', 'archive@example.com']);
    const res = await runPipeline(bcc.policy, bcc.signerFor, msg, env, now, 'm', { detectBccCopies: true });
    expect(res.decisions.map((d) => [d.recipient, d.action, d.reason])).toEqual([
      ['a@example.org', 'sign', 'signed'],
      ['C@example.org', 'sign', 'signed'],
      ['archive@example.com', 'unsigned', 'bcc-copy'],
    ]);
    const plain = await runPipeline(bcc.policy, bcc.signerFor, msg, env, now);
    expect(plain.decisions.every((d) => d.action === 'sign')).toBe(true);
  });
});
