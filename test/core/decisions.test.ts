import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../main/core/engine/mime';
import { compilePolicy, decide, groupDeliveries, type OperatingCertificate } from '../../main/core/relay/policy';
import { defaultDestinationExceptions, defaultHeaderExceptions } from '../../main/core/relay/patterns';
import { loadRelayConfig, relayMessage } from '../../main/core/relay/pipeline';
import { verifyMessage } from '../../main/core/engine/smime';
import { opensslVerify, TestPki } from '../helpers/pki';
import { FixedClock, makeService, MemorySecretStore, tempDir } from '../helpers/stores';

const DAY = 86_400_000;
const NOW = new Date('2026-11-28T10:00:00Z');
const cert: OperatingCertificate = { email: 'info@example.com', fingerprintSha256: 'AA:BB', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') };

function policy(over: Partial<Parameters<typeof compilePolicy>[0]> = {}) {
  const dest = defaultDestinationExceptions(1);
  return compilePolicy({ name: 'T', intelligentBcc: true, destinationExceptions: dest, headerExceptions: defaultHeaderExceptions(dest.length + 1), certificates: [cert], ...over });
}

const headers = (extra = '') => parseMessage(Buffer.from(`From: Info <info@example.com>\nTo: a@example.org\nSubject: s\n${extra}\nbody\n`)).headers;

describe('send decision, one reason per recipient', () => {
  it('signs, or says exactly why not', () => {
    const d = decide(
      policy(),
      { mailFrom: 'bounce@example.com', recipients: [{ address: 'a@example.org' }, { address: 'taro@docomo.ne.jp' }, { address: 'archive@example.com', bccCopy: true }] },
      headers(),
      NOW,
    );
    expect(d.map((x) => [x.recipient, x.action, x.reason])).toEqual([
      ['a@example.org', 'sign', 'signed'],
      ['taro@docomo.ne.jp', 'unsigned', 'destination-exception'],
      ['archive@example.com', 'unsigned', 'bcc-copy'],
    ]);
    expect(d[0]!.certificate).toEqual({ email: 'info@example.com', fingerprintSha256: 'AA:BB' });
    expect(d[1]!.detail).toBe('destination exception #1: matches @(?:[^@]+\\.)?docomo\\.ne\\.jp$');
  });

  it('signs BCC copies when intelligent BCC is off', () => {
    const d = decide(policy({ intelligentBcc: false }), { mailFrom: '', recipients: [{ address: 'archive@example.com', bccCopy: true }] }, headers(), NOW);
    expect(d[0]!.action).toBe('sign');
  });

  it('leaves already signed or encrypted mail alone (header exception)', () => {
    const d = decide(policy(), { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=x\n'), NOW);
    expect(d[0]).toMatchObject({ action: 'unsigned', reason: 'header-exception' });
    expect(d[0]!.detail).toMatch(/^header exception #\d+: Content-Type "multipart\/signed;.*" matches \^multipart\/signed$/);
    // with the defaults disabled it is still not signed twice
    const off = decide(policy({ headerExceptions: [] }), { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n'), NOW);
    expect(off[0]).toMatchObject({ action: 'unsigned', reason: 'already-secured' });
  });

  it('uses an admin header exception (name + value pattern)', () => {
    const p = policy({ headerExceptions: [{ id: 9, header: 'X-Campaign', pattern: '^no-sign', enabled: true, isDefault: false }] });
    expect(decide(p, { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers('X-Campaign: NO-SIGN-2026\n'), NOW)[0]).toMatchObject({ reason: 'header-exception', exceptionId: 9 });
    expect(decide(p, { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers('X-Campaign: spring\n'), NOW)[0]!.action).toBe('sign');
  });

  it('sends unsigned when no certificate operates for the sender', () => {
    const d = decide(policy(), { mailFrom: 'x@example.com', recipients: [{ address: 'a@example.org' }] }, parseMessage(Buffer.from('From: other@example.com\n\nx')).headers, NOW);
    expect(d[0]).toMatchObject({ action: 'unsigned', reason: 'no-certificate', detail: 'no certificate operates for other@example.com in composition "T"' });
  });

  it('rejects with 451 when the certificate is expired, and a distinct 451 before it is valid', () => {
    const late = decide(policy(), { mailFrom: '', recipients: [{ address: 'a@example.org' }, { address: 'k@ezweb.ne.jp' }] }, headers(), new Date('2027-02-01T00:00:00Z'));
    expect(late[0]).toMatchObject({ action: 'reject', reason: 'certificate-expired', smtpCode: 451, smtpText: 'S/MIME certificate is expired' });
    expect(late[1]).toMatchObject({ action: 'unsigned', reason: 'destination-exception' });
    const early = decide(policy(), { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers(), new Date('2025-12-01T00:00:00Z'));
    expect(early[0]).toMatchObject({ action: 'reject', smtpCode: 451, smtpText: 'S/MIME certificate is not yet valid' });
  });

  it('groups recipients with the same outcome into one delivery', () => {
    const d = decide(
      policy(),
      { mailFrom: '', recipients: ['a@example.org', 'b@example.org', 'c@docomo.ne.jp', 'd@ezweb.ne.jp'].map((address) => ({ address })) },
      headers(),
      NOW,
    );
    expect(groupDeliveries(d)).toEqual([
      { action: 'sign', recipients: ['a@example.org', 'b@example.org'], certificate: { email: 'info@example.com', fingerprintSha256: 'AA:BB' } },
      { action: 'unsigned', recipients: ['c@docomo.ne.jp', 'd@ezweb.ne.jp'] },
    ]);
  });
});

describe('reflect, bundles and the relay', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = new TestPki();
  });
  afterAll(() => pki.cleanup());

  async function setup() {
    const clock = new FixedClock(new Date());
    const { svc, dataDir } = makeService(tempDir(), new MemorySecretStore(), clock);
    const p12 = readFileSync(pki.p12(pki.leaf({ emails: ['info@example.com'] }), { chain: 'intermediate', password: 'pw-info' }));
    await svc.addCertificate({ email: 'info@example.com', p12, password: 'pw-info' });
    svc.createComposition('Transactional');
    svc.setCertificateEnabled('Transactional', 'info@example.com', true);
    return { svc, dataDir, clock };
  }

  it('shows pending changes until reflected, then what changed since', async () => {
    const { svc } = await setup();
    expect(svc.pending('Transactional')[0]!.changes).toEqual([{ kind: 'never-reflected', subject: 'Transactional' }]);
    const out = join(tempDir(), 'bundle.json');
    const r = await svc.reflect('Transactional', 'a long bundle passphrase', out);
    expect(r).toMatchObject({ composition: 'Transactional', certificates: 1, size: readFileSync(out).length });
    expect(r.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(svc.pending('Transactional')[0]!.changes).toEqual([]);
    expect(svc.getComposition('Transactional').pending).toBe(false);
    svc.setIntelligentBcc('Transactional', true);
    svc.addDestinationException('Transactional', '@example\\.net$');
    svc.setExceptionEnabled('Transactional', 1, false);
    svc.setCertificateEnabled('Transactional', 'info@example.com', false);
    expect(svc.pending('Transactional')[0]!.changes).toEqual([
      { kind: 'certificate-removed', subject: 'info@example.com' },
      { kind: 'destination-added', subject: '@example\\.net$' },
      { kind: 'destination-removed', subject: '@(?:[^@]+\\.)?docomo\\.ne\\.jp$' },
      { kind: 'bcc-changed', subject: 'off → on' },
    ]);
  });

  it('a relay signs from the bundle exactly as decided; OpenSSL accepts the result', async () => {
    const { svc } = await setup();
    const out = join(tempDir(), 'bundle.json');
    await svc.reflect('Transactional', 'a long bundle passphrase', out);
    const relay = loadRelayConfig(readFileSync(out), 'a long bundle passphrase');
    const msg = Buffer.from('From: info@example.com\nTo: a@example.org\nSubject: order\n\nThanks for your order.\n');
    const res = relayMessage(relay, msg, { mailFrom: 'info@example.com', recipients: [{ address: 'a@example.org' }, { address: 'b@docomo.ne.jp' }] }, new Date());
    expect(res.deliveries.map((d) => [d.action, d.recipients])).toEqual([
      ['sign', ['a@example.org']],
      ['unsigned', ['b@docomo.ne.jp']],
    ]);
    expect(opensslVerify(pki, pki.write('relay.eml', res.deliveries[0]!.message)).ok).toBe(true);
    expect(res.deliveries[1]!.message.equals(msg)).toBe(true);
  });

  it('refuses a flipped byte, a truncated file and a wrong passphrase, each with its reason', async () => {
    const { svc } = await setup();
    const out = join(tempDir(), 'bundle.json');
    await svc.reflect('Transactional', 'a long bundle passphrase', out);
    const bytes = readFileSync(out);
    const reason = (b: Buffer, pass = 'a long bundle passphrase') => {
      try {
        loadRelayConfig(b, pass, 'bundle.json');
        return 'accepted';
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
    };
    expect(reason(bytes, 'a wrong passphrase!')).toBe('BUNDLE_WRONG_PASSPHRASE: wrong passphrase for bundle.json');
    expect(reason(bytes.subarray(0, bytes.length - 200))).toMatch(/^BUNDLE_INVALID: bundle.json is damaged: it is truncated or was modified/);
    // flip one byte inside the payload (a letter inside a pattern), keeping the JSON valid
    const text = bytes.toString('utf8');
    const at = text.indexOf('docomo');
    const flipped = Buffer.from(text.slice(0, at) + 'D' + text.slice(at + 1), 'utf8');
    expect(reason(flipped)).toBe('BUNDLE_TAMPERED: bundle.json was modified after it was written (its authentication code does not match)');
    // and any single flipped byte anywhere is refused
    for (let i = 0; i < bytes.length; i += Math.ceil(bytes.length / 30)) {
      const b = Buffer.from(bytes);
      b[i] = b[i]! ^ 0x04;
      if (b.equals(bytes)) continue;
      expect(reason(b), `byte ${i}`).not.toBe('accepted');
    }
    expect(reason(Buffer.from('{"format":"smime-admin-bundle","version":2}'))).toMatch(/^BUNDLE_UNSUPPORTED_VERSION/);
    await expect(svc.reflect('Transactional', 'short', out)).rejects.toThrow(/at least 12 characters/);
  });

  it('imports a bundle on another admin machine', async () => {
    const { svc } = await setup();
    svc.addDestinationException('Transactional', '@partner\\.example$');
    const out = join(tempDir(), 'bundle.json');
    await svc.reflect('Transactional', 'a long bundle passphrase', out);
    const other = makeService(tempDir(), new MemorySecretStore());
    const r = await other.svc.importBundle(readFileSync(out), 'a long bundle passphrase', 'bundle.json');
    expect(r).toEqual({ composition: 'Transactional', created: true, certificatesAdded: ['info@example.com'], certificatesUpdated: [], certificatesUnchanged: [] });
    const c = other.svc.getComposition('Transactional');
    expect(c.certificates.filter((x) => x.enabled).map((x) => x.email)).toEqual(['info@example.com']);
    expect(c.destinationExceptions.some((e) => e.pattern === '@partner\\.example$')).toBe(true);
    expect(other.svc.pending('Transactional')[0]!.changes).toEqual([]);
    const again = await other.svc.importBundle(readFileSync(out), 'a long bundle passphrase');
    expect(again.certificatesUnchanged).toEqual(['info@example.com']);
  });

  it('test send: the preview shows decisions, signed MIME that verifies, and expiry warnings', async () => {
    const { svc, clock } = await setup();
    const msg = Buffer.from('From: info@example.com\nTo: a@example.org\nSubject: hi\n\nhello\n');
    const r = await svc.testSend('Transactional', msg, { mailFrom: 'info@example.com', recipients: [{ address: 'a@example.org' }, { address: 'x@softbank.ne.jp' }] }, clock.now());
    expect(r.decisions.map((d) => d.action)).toEqual(['sign', 'unsigned']);
    const signed = r.deliveries.find((d) => d.action === 'sign')!;
    expect(signed.verification).toMatchObject({ valid: true, signerEmail: 'info@example.com', fromMatches: true });
    expect(verifyMessage(Buffer.from(signed.message, 'latin1')).valid).toBe(true);
    expect(signed.warnings).toEqual([]);
    const expired = await svc.testSend('Transactional', msg, { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, new Date(Date.now() + 400 * DAY));
    expect(expired.decisions[0]).toMatchObject({ action: 'reject', smtpCode: 451, smtpText: 'S/MIME certificate is expired' });
    expect(expired.deliveries).toEqual([]);
  });
});
