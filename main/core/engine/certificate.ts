/**
 * Certificate inspection for a mail administrator: who the certificate is for,
 * who issued it, how long it is valid, and what will go wrong with it.
 */
import type { X509Certificate } from 'node:crypto';
import { decode, decodeOid, type Asn1 } from './der';
import { OID, oidName } from './oids';
import type { SigningIdentity } from './pkcs12';
import type { CertificateInfo, CertWarning, CertWarningParams, Severity } from '../../contract';

export type { CertificateInfo, CertWarning };

export interface InspectOptions {
  now?: Date;
  /** Days before expiry from which to warn (default 30). */
  warnDays?: number;
}

interface Extension {
  critical: boolean;
  value: Buffer;
}

/** Extensions of an X.509 certificate by OID (RFC 5280 §4.1). */
export function certExtensions(cert: X509Certificate): Map<string, Extension> {
  const tbs = decode(cert.raw).child(0);
  const out = new Map<string, Extension>();
  const exts = tbs.children().find((c) => c.tag === 0xa3);
  if (!exts) return out;
  for (const ext of exts.child(0).children()) {
    const parts = ext.children();
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.content()[0] !== 0;
    out.set(parts[0]!.oid(), { critical, value: parts[parts.length - 1]!.content() });
  }
  return out;
}

/** serialNumber, issuer, subject and subjectPublicKeyInfo of a TBSCertificate, past the optional [0] version (RFC 5280 §4.1). */
function tbsFields(cert: X509Certificate): { serial: Asn1; issuer: Asn1; subject: Asn1; spki: Asn1 } {
  const tbs = decode(cert.raw).child(0).children();
  const i = tbs[0]!.tag === 0xa0 ? 1 : 0;
  return { serial: tbs[i]!, issuer: tbs[i + 2]!, subject: tbs[i + 4]!, spki: tbs[i + 5]! };
}

/**
 * True for an EC public key whose parameters are not a named curve (RFC 5480 §2.1.1 allows
 * only namedCurve): explicit (specifiedCurve) or inherited (implicitCurve) parameters.
 * OpenSSL 3 maps explicit parameters that match a named curve to that curve, so Node reports
 * a curve name for them; the encoding is what verifiers reject.
 */
export function explicitEcParameters(cert: X509Certificate): boolean {
  const alg = tbsFields(cert).spki.child(0);
  if (alg.child(0).oid() !== OID.ecPublicKey) return false;
  return alg.children()[1]?.tag !== 0x06;
}

/** The signature algorithm (OID and parameters) of the signer's public key in its certificate. */
export function publicKeyAlgorithm(cert: X509Certificate): Asn1 {
  return tbsFields(cert).spki.child(0);
}

/** The certificate's own encoding of issuer and serialNumber, for CMS IssuerAndSerialNumber (RFC 5652 §10.2.4). */
export function issuerAndSerial(cert: X509Certificate): { issuer: Buffer; serial: Buffer } {
  const { serial, issuer } = tbsFields(cert);
  return { serial: serial.raw(), issuer: issuer.raw() };
}

function signatureAlgorithmOid(cert: X509Certificate): string {
  return decode(cert.raw).child(1).child(0).oid();
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Named key usage bits (RFC 5280 §4.2.1.3); empty when the extension is absent. */
export function keyUsageOf(cert: X509Certificate): string[] {
  return keyUsage(certExtensions(cert).get(OID.keyUsage));
}

/** Extended key usage names or OIDs (RFC 5280 §4.2.1.12); empty when the extension is absent. */
export function extendedKeyUsageOf(cert: X509Certificate): string[] {
  return extendedKeyUsage(certExtensions(cert).get(OID.extKeyUsage));
}

function keyUsage(ext: Extension | undefined): string[] {
  if (!ext) return [];
  const bits = decode(ext.value).content(); // BIT STRING: unused-bits octet, then bits
  const out: string[] = [];
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
    const byte = bits[1 + (i >> 3)];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) out.push(KEY_USAGE_BITS[i]!);
  }
  return out;
}

function extendedKeyUsage(ext: Extension | undefined): string[] {
  if (!ext) return [];
  return decode(ext.value)
    .children()
    .map((c) => {
      const o = c.oid();
      return oidName(o);
    });
}

function attributeValues(name: Asn1, wanted: string): string[] {
  const out: string[] = [];
  for (const rdn of name.children()) {
    for (const atv of rdn.children()) {
      if (decodeOid(atv.child(0).content()) === wanted) out.push(atv.child(1).content().toString('utf8'));
    }
  }
  return out;
}

/**
 * The mail addresses a certificate speaks for: SAN rfc822Name entries, else
 * the subject's emailAddress (RFC 8550 §3). Lower-cased domain, local part kept.
 */
export function certificateEmails(cert: X509Certificate): string[] {
  const san = certExtensions(cert).get(OID.subjectAltName);
  const emails: string[] = [];
  if (san) {
    for (const gn of decode(san.value).children()) if (gn.tag === 0x81) emails.push(gn.content().toString('latin1'));
  }
  if (emails.length === 0) {
    emails.push(...attributeValues(tbsFields(cert).subject, OID.emailAddress));
  }
  return [...new Set(emails.map(normalizeEmail))];
}

/** Local part as written, domain lower-cased: the comparison mail systems use. */
export function normalizeEmail(addr: string): string {
  const at = addr.lastIndexOf('@');
  if (at < 0) return addr.trim();
  return (
    addr.slice(0, at).trim() +
    '@' +
    addr
      .slice(at + 1)
      .trim()
      .toLowerCase()
  );
}

/** Address equality: case-insensitive domain; local part compared case-insensitively too, as every mailbox provider in practice does. */
export function sameEmail(a: string, b: string): boolean {
  return normalizeEmail(a).toLowerCase() === normalizeEmail(b).toLowerCase();
}

function dn(s: string): string {
  return s.split('\n').filter(Boolean).join(', ');
}

function cn(s: string): string {
  const line = s.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : dn(s);
}

const TESTED_ISSUERS: { name: string; test: (issuer: string) => boolean }[] = [
  {
    name: 'DigiCert / Symantec Secure Email ID',
    test: (i) => /digicert|symantec/i.test(i) && /(e-?mail|s\/mime|smime|client)/i.test(i),
  },
  { name: 'GlobalSign S/MIME', test: (i) => /globalsign/i.test(i) && /(s\/mime|smime|personalsign|e-?mail)/i.test(i) },
  {
    name: 'SECOM Passport for Member',
    test: (i) => /secom/i.test(i) && /(passport|member|security communication)/i.test(i),
  },
];

const DAY = 86_400_000;

export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY);
}

/** The warnings that depend on the moment: expired, not yet valid, expiring within `warnDays`. */
export const EXPIRY_WARNINGS: ReadonlySet<CertWarning['code']> = new Set(['expired', 'not-yet-valid', 'expires-soon']);

export function expiryWarnings(notBefore: Date, notAfter: Date, now: Date, warnDays: number): CertWarning[] {
  const left = daysUntil(notAfter, now);
  if (now > notAfter) return [{ code: 'expired', severity: 'error', params: { date: notAfter.toISOString() } }];
  if (now < notBefore) return [{ code: 'not-yet-valid', severity: 'error', params: { date: notBefore.toISOString() } }];
  if (left < warnDays)
    return [{ code: 'expires-soon', severity: 'warning', params: { days: left, date: notAfter.toISOString() } }];
  return [];
}

/** Inspects the signer certificate of a PKCS#12 file and lists what a mail administrator must know. */
export function inspectIdentity(
  id: Pick<SigningIdentity, 'certificate' | 'chain' | 'keyType' | 'keyBits' | 'curve' | 'pss'>,
  opts: InspectOptions = {},
): CertificateInfo {
  const now = opts.now ?? new Date();
  const warnDays = opts.warnDays ?? 30;
  const cert = id.certificate;
  const exts = certExtensions(cert);
  const ku = keyUsage(exts.get(OID.keyUsage));
  const eku = extendedKeyUsage(exts.get(OID.extKeyUsage));
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const emails = certificateEmails(cert);
  const sigOid = signatureAlgorithmOid(cert);
  const selfSigned = cert.checkIssued(cert) && cert.verify(cert.publicKey);
  const issuerText = dn(cert.issuer);
  const tested = TESTED_ISSUERS.find((t) => t.test(issuerText) || id.chain.some((c) => t.test(dn(c.subject))));
  const warnings: CertWarning[] = [];
  const warn = <C extends keyof CertWarningParams>(code: C, severity: Severity, params: CertWarningParams[C]): void => {
    warnings.push({ code, severity, params } as CertWarning);
  };
  const none = {} as Record<string, never>;

  warnings.push(...expiryWarnings(notBefore, notAfter, now, warnDays));
  if (emails.length === 0) warn('no-email-address', 'error', none);
  // anyExtendedKeyUsage alone does not do: OpenSSL (-purpose smimesign) and NSS refuse such signers
  if (eku.length > 0 && !eku.includes('emailProtection')) {
    warn('no-email-protection-eku', 'error', { usages: eku });
  } else if (eku.length === 0) {
    warn('no-email-protection-eku', 'warning', { usages: [] });
  }
  if (ku.length > 0 && !ku.includes('digitalSignature') && !ku.includes('nonRepudiation')) {
    warn('no-digital-signature', 'error', { nonRepudiationOnly: false });
  } else if (ku.length > 0 && !ku.includes('digitalSignature')) {
    warn('no-digital-signature', 'warning', { nonRepudiationOnly: true });
  }
  if (id.keyType === 'RSA' && id.keyBits < 2048) warn('weak-rsa-key', 'error', { bits: id.keyBits });
  for (const c of [cert, ...id.chain]) {
    if (explicitEcParameters(c)) warn('explicit-ec-parameters', 'error', { subject: dn(c.subject) });
  }
  if (sigOid === OID.sha1WithRSA || sigOid === OID.ecdsaSha1) warn('sha1-signature', 'error', none);
  if (cert.ca) warn('ca-certificate', 'error', none);
  if (selfSigned) warn('self-signed', 'warning', none);
  else if (id.chain.length === 0) warn('missing-intermediate', 'warning', { issuer: cn(cert.issuer) });
  const validityDays = Math.round((notAfter.getTime() - notBefore.getTime()) / DAY);
  if (validityDays > 825) warn('validity-over-825-days', 'warning', { days: validityDays });
  const forbidden = eku.filter((e) =>
    ['serverAuth', 'codeSigning', 'timeStamping', 'OCSPSigning', 'anyExtendedKeyUsage'].includes(e),
  );
  if (forbidden.length > 0) warn('forbidden-eku', 'warning', { usages: forbidden });
  if (!tested) warn('untested-issuer', 'info', none);

  return {
    emails,
    subject: dn(cert.subject),
    commonName: cn(cert.subject),
    issuer: issuerText,
    issuerCommonName: cn(cert.issuer),
    serial: cert.serialNumber.toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    keyType: id.keyType,
    keyBits: id.keyBits,
    ...(id.curve ? { curve: id.curve } : {}),
    fingerprintSha256: cert.fingerprint256,
    signatureAlgorithm: oidName(sigOid),
    keyUsage: ku,
    extendedKeyUsage: eku,
    isCA: cert.ca,
    selfSigned,
    chainLength: id.chain.length,
    chain: id.chain.map((c) => ({
      subject: dn(c.subject),
      issuer: dn(c.issuer),
      notAfter: new Date(c.validTo).toISOString(),
      fingerprintSha256: c.fingerprint256,
    })),
    testedIssuer: tested?.name ?? null,
    warnings,
  };
}
