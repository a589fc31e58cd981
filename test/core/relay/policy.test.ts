import { describe, expect, it } from 'vitest';
import { decisionText } from '../../../main/contract';
import { parseMessage } from '../../../main/core/engine/mime';
import { compilePolicy, decide, groupDeliveries, type OperatingCertificate } from '../../../main/core/relay/policy';
import { defaultDestinationExceptions, defaultHeaderExceptions } from '../../../main/core/relay/patterns';

const NOW = new Date('2026-11-28T10:00:00Z');
const cert: OperatingCertificate = {
  email: 'info@example.com',
  fingerprintSha256: 'AA:BB',
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2027-01-01T00:00:00Z'),
};

function policy(over: Partial<Parameters<typeof compilePolicy>[0]> = {}) {
  const dest = defaultDestinationExceptions(1);
  return compilePolicy({
    name: 'T',
    intelligentBcc: true,
    destinationExceptions: dest,
    headerExceptions: defaultHeaderExceptions(dest.length + 1),
    certificates: [cert],
    ...over,
  });
}

const headers = (extra = '') =>
  parseMessage(Buffer.from(`From: Info <info@example.com>\nTo: a@example.org\nSubject: s\n${extra}\nbody\n`)).headers;

describe('send decision, one reason per recipient', () => {
  it('signs, or says exactly why not', () => {
    const d = decide(
      policy(),
      {
        mailFrom: 'bounce@example.com',
        recipients: [
          { address: 'a@example.org' },
          { address: 'taro@docomo.ne.jp' },
          { address: 'archive@example.com', bccCopy: true },
        ],
      },
      headers(),
      NOW,
    );
    expect(d.map((x) => [x.recipient, x.action, x.reason])).toEqual([
      ['a@example.org', 'sign', 'signed'],
      ['taro@docomo.ne.jp', 'unsigned', 'destination-exception'],
      ['archive@example.com', 'unsigned', 'bcc-copy'],
    ]);
    expect(d[0]).toMatchObject({
      action: 'sign',
      certificate: { email: 'info@example.com', fingerprintSha256: 'AA:BB' },
    });
    expect(decisionText(d[1]!)).toBe('destination exception #1: matches @(?:[^@]+\\.)?docomo\\.ne\\.jp$');
    expect(d[1]).toMatchObject({ params: { id: 1, pattern: '@(?:[^@]+\\.)?docomo\\.ne\\.jp$' } });
  });

  it('signs BCC copies when intelligent BCC is off', () => {
    const d = decide(
      policy({ intelligentBcc: false }),
      { mailFrom: '', recipients: [{ address: 'archive@example.com', bccCopy: true }] },
      headers(),
      NOW,
    );
    expect(d[0]!.action).toBe('sign');
  });

  it('leaves already signed or encrypted mail alone (header exception)', () => {
    const d = decide(
      policy(),
      { mailFrom: '', recipients: [{ address: 'a@example.org' }] },
      headers('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=x\n'),
      NOW,
    );
    expect(d[0]).toMatchObject({ action: 'unsigned', reason: 'header-exception' });
    expect(decisionText(d[0]!)).toMatch(
      /^header exception #\d+: Content-Type "multipart\/signed;.*" matches \^multipart\/signed$/,
    );
    // with the defaults disabled it is still not signed twice
    const off = decide(
      policy({ headerExceptions: [] }),
      { mailFrom: '', recipients: [{ address: 'a@example.org' }] },
      headers('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n'),
      NOW,
    );
    expect(off[0]).toMatchObject({ action: 'unsigned', reason: 'already-secured' });
  });

  it('uses an admin header exception (name + value pattern)', () => {
    const p = policy({
      headerExceptions: [{ id: 9, header: 'X-Campaign', pattern: '^no-sign', enabled: true, isDefault: false }],
    });
    expect(
      decide(
        p,
        { mailFrom: '', recipients: [{ address: 'a@example.org' }] },
        headers('X-Campaign: NO-SIGN-2026\n'),
        NOW,
      )[0],
    ).toMatchObject({ reason: 'header-exception', params: { id: 9 } });
    expect(
      decide(p, { mailFrom: '', recipients: [{ address: 'a@example.org' }] }, headers('X-Campaign: spring\n'), NOW)[0]!
        .action,
    ).toBe('sign');
  });

  it('sends unsigned when no certificate operates for the sender', () => {
    const d = decide(
      policy(),
      { mailFrom: 'x@example.com', recipients: [{ address: 'a@example.org' }] },
      parseMessage(Buffer.from('From: other@example.com\n\nx')).headers,
      NOW,
    );
    expect(d[0]).toMatchObject({ action: 'unsigned', reason: 'no-certificate' });
    expect(decisionText(d[0]!)).toBe('no certificate operates for other@example.com in composition "T"');
    expect(decisionText(d[0]!, 'ja')).toBe('構成「T」に other@example.com の証明書が設定されていません');
  });

  it('rejects with 451 when the certificate is expired, and a distinct 451 before it is valid', () => {
    const late = decide(
      policy(),
      { mailFrom: '', recipients: [{ address: 'a@example.org' }, { address: 'k@ezweb.ne.jp' }] },
      headers(),
      new Date('2027-02-01T00:00:00Z'),
    );
    expect(late[0]).toMatchObject({
      action: 'reject',
      reason: 'certificate-expired',
      smtp: { code: 451, enhanced: '4.7.5', text: 'S/MIME certificate is expired' },
    });
    expect(late[1]).toMatchObject({ action: 'unsigned', reason: 'destination-exception' });
    const early = decide(
      policy(),
      { mailFrom: '', recipients: [{ address: 'a@example.org' }] },
      headers(),
      new Date('2025-12-01T00:00:00Z'),
    );
    expect(early[0]).toMatchObject({
      action: 'reject',
      smtp: { code: 451, text: 'S/MIME certificate is not yet valid' },
    });
  });

  it('groups recipients with the same outcome into one delivery', () => {
    const d = decide(
      policy(),
      {
        mailFrom: '',
        recipients: ['a@example.org', 'b@example.org', 'c@docomo.ne.jp', 'd@ezweb.ne.jp'].map((address) => ({
          address,
        })),
      },
      headers(),
      NOW,
    );
    expect(groupDeliveries(d)).toEqual([
      {
        action: 'sign',
        recipients: ['a@example.org', 'b@example.org'],
        certificate: { email: 'info@example.com', fingerprintSha256: 'AA:BB' },
      },
      { action: 'unsigned', recipients: ['c@docomo.ne.jp', 'd@ezweb.ne.jp'] },
    ]);
  });
});
