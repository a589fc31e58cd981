import { describe, expect, it } from 'vitest';
import {
  decisionText,
  reflectWarningText,
  verifyFailureText,
  warningText,
  type CertWarning,
  type Decision,
  type ReflectWarning,
  type VerifyFailure,
} from '../../main/contract';

/** One sample of every code, with parameters made of data only (addresses, numbers, patterns). */
const warnings: CertWarning[] = [
  { code: 'expired', severity: 'error', params: { date: '2026-11-01T00:00:00.000Z' } },
  { code: 'not-yet-valid', severity: 'error', params: { date: '2027-01-01T00:00:00.000Z' } },
  { code: 'expires-soon', severity: 'warning', params: { days: 3, date: '2026-12-01T00:00:00.000Z' } },
  { code: 'no-email-protection-eku', severity: 'error', params: { usages: ['serverAuth'] } },
  { code: 'no-email-protection-eku', severity: 'warning', params: { usages: [] } },
  { code: 'no-digital-signature', severity: 'error', params: { nonRepudiationOnly: false } },
  { code: 'no-digital-signature', severity: 'warning', params: { nonRepudiationOnly: true } },
  { code: 'weak-rsa-key', severity: 'error', params: { bits: 1024 } },
  { code: 'sha1-signature', severity: 'error', params: {} },
  { code: 'missing-intermediate', severity: 'warning', params: { issuer: 'CN=x' } },
  { code: 'ca-certificate', severity: 'error', params: {} },
  { code: 'validity-over-825-days', severity: 'warning', params: { days: 900 } },
  { code: 'forbidden-eku', severity: 'warning', params: { usages: ['codeSigning'] } },
  { code: 'no-email-address', severity: 'error', params: {} },
  { code: 'self-signed', severity: 'warning', params: {} },
  { code: 'untested-issuer', severity: 'info', params: {} },
];
const ref = { email: 'info@example.com', fingerprintSha256: 'AA:BB' };
const smtp = { code: 451, enhanced: '4.7.5', text: 'S/MIME certificate is expired' };
const decisions: Decision[] = [
  {
    recipient: 'a@example.org',
    action: 'sign',
    reason: 'signed',
    params: { email: 'info@example.com' },
    certificate: ref,
  },
  { recipient: 'a@example.org', action: 'unsigned', reason: 'bcc-copy', params: {} },
  {
    recipient: 'a@example.org',
    action: 'unsigned',
    reason: 'header-exception',
    params: { id: 3, header: 'X-Mailer', value: 'x', pattern: '^x' },
  },
  {
    recipient: 'a@example.org',
    action: 'unsigned',
    reason: 'already-secured',
    params: { contentType: 'multipart/signed' },
  },
  {
    recipient: 'a@example.org',
    action: 'unsigned',
    reason: 'destination-exception',
    params: { id: 1, pattern: '@docomo' },
  },
  {
    recipient: 'a@example.org',
    action: 'unsigned',
    reason: 'no-certificate',
    params: { sender: 'x@example.com', composition: 'T' },
  },
  {
    recipient: 'a@example.org',
    action: 'unsigned',
    reason: 'no-certificate',
    params: { sender: null, composition: 'T' },
  },
  {
    recipient: 'a@example.org',
    action: 'reject',
    reason: 'certificate-expired',
    params: { email: 'x@example.com', notAfter: '2026-01-01T00:00:00.000Z' },
    certificate: ref,
    smtp,
  },
  {
    recipient: 'a@example.org',
    action: 'reject',
    reason: 'certificate-not-yet-valid',
    params: { email: 'x@example.com', notBefore: '2027-01-01T00:00:00.000Z' },
    certificate: ref,
    smtp,
  },
];
const failures: VerifyFailure[] = [
  ...(
    [
      'not-signed-data',
      'no-signed-content',
      'no-signer',
      'signer-certificate-missing',
      'unsupported-digest',
      'ess-hash-mismatch',
      'no-message-digest',
      'content-type-not-data',
      'content-changed',
      'unsupported-signature-algorithm',
      'bad-signature',
      'chain-incomplete',
      'chain-too-long',
    ] as const
  ).map((code) => ({ code, params: {} }) as VerifyFailure),
  { code: 'certificate-not-valid-at', params: { subject: 'CN=x', at: '2026-01-01T00:00:00.000Z' } },
  { code: 'anchor-not-valid-at', params: { at: '2026-01-01T00:00:00.000Z' } },
  { code: 'issuer-not-ca', params: { subject: 'CN=x' } },
];
const reflect: ReflectWarning[] = [
  { code: 'certificate-expired', params: { email: 'x@example.com', date: '2026-01-01T00:00:00.000Z' } },
  { code: 'certificate-expiring', params: { email: 'x@example.com', days: 5 } },
];

const texts = (lang: 'en' | 'ja') => [
  ...warnings.map((w) => warningText(w, lang)),
  ...decisions.map((d) => decisionText(d, lang)),
  ...failures.map((f) => verifyFailureText(f, lang)),
  ...reflect.map((w) => reflectWarningText(w, lang)),
];

/** Words in Latin letters that are not data, product names or technical terms. */
const TERMS =
  /\b(S\/MIME|SHA-1|RSA|CA|SAN|EKU|ESS|CMS|SignedData|id-data|BCC|From|MAIL FROM|Baseline Requirements|DigiCert|Symantec|Secure Email ID|GlobalSign|SECOM|Passport for Member|emailProtection|digitalSignature|nonRepudiation|rfc822Name|emailAddress|serverAuth|codeSigning)\b/g;

describe('the words for every code', () => {
  it('are there in both languages, and differ between them', () => {
    const en = texts('en');
    const ja = texts('ja');
    expect(en.every((t) => t.length > 10)).toBe(true);
    en.forEach((t, i) => expect(ja[i], t).not.toBe(t));
  });

  it('Japanese shows no English: only data, product names and technical terms stay in Latin letters', () => {
    const data = /[\w.+-]+@[\w.-]+|X-Mailer|CN=x|\^x|@docomo|multipart\/signed|\d{4}-\d\d-\d\dT[\d:.]+Z|\b(T|x)\b/g;
    for (const t of texts('ja')) {
      const left = t.replace(data, '').replace(TERMS, '');
      expect(left, t).not.toMatch(/[A-Za-z]{3,}/);
      expect(t, t).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('English shows the facts it was given', () => {
    expect(decisionText(decisions[4]!)).toBe('destination exception #1: matches @docomo');
    expect(warningText(warnings[2]!)).toBe('the certificate expires in 3 days (2026-12-01); renew it');
    expect(verifyFailureText(failures.at(-1)!)).toBe('"CN=x" signed a certificate but is not a CA');
  });
});
