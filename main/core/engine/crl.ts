/**
 * Certificate revocation lists (RFC 5280 §5), read with our DER decoder because Node's crypto
 * has no CRL API: the issuer, the update times, the revoked serial numbers, and a check of the
 * CRL's signature with the issuer's public key.
 */
import type { X509Certificate } from 'node:crypto';
import { SmimeError } from '../errors';
import { decode, decodeTime, type Asn1 } from './der';
import { OID } from './oids';
import { signatureScheme, verifySignature } from './signature';

export interface Crl {
  /** the issuer Name exactly as encoded */
  issuer: Buffer;
  issuerText: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** revoked serial numbers (upper-case hex of the INTEGER's content octets) with their revocation dates */
  revoked: Map<string, Date>;
  tbs: Buffer;
  signatureAlgorithm: Asn1;
  signature: Buffer;
}

const NAME_LABELS: Record<string, string> = {
  [OID.countryName]: 'C',
  [OID.stateOrProvinceName]: 'ST',
  [OID.localityName]: 'L',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.commonName]: 'CN',
  [OID.emailAddress]: 'emailAddress',
};

/** A Name as people read it ("C=JP, O=…, CN=…"), in the order encoded. */
export function nameText(name: Asn1): string {
  const parts: string[] = [];
  for (const rdn of name.children()) {
    for (const atv of rdn.children()) {
      const type = atv.child(0).oid();
      parts.push(`${NAME_LABELS[type] ?? type}=${atv.child(1).content().toString('utf8')}`);
    }
  }
  return parts.join(', ');
}

function serialKey(int: Asn1): string {
  return int.expect(0x02, 'serial number').content().toString('hex').toUpperCase();
}

/** The serial number of a certificate as the CRL lists it. */
export function certificateSerialKey(cert: X509Certificate): string {
  const tbs = decode(cert.raw).child(0).children();
  return serialKey(tbs[tbs[0]!.tag === 0xa0 ? 1 : 0]!);
}

/** Reads a CRL in DER or PEM ("X509 CRL"). Throws FILE_UNREADABLE when it is not one. */
export function parseCrl(bytes: Buffer, name = 'the CRL'): Crl {
  let der = bytes;
  const pem = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(bytes.toString('latin1'));
  if (pem) der = Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64');
  try {
    const [tbsEl, sigAlg, sigValue] = decode(der).expect(0x30, 'CertificateList').children();
    const tbs = tbsEl!.expect(0x30, 'TBSCertList').children();
    let i = tbs[0]!.tag === 0x02 ? 1 : 0; // version, v2
    i++; // signature
    const issuer = tbs[i++]!;
    const thisUpdate = decodeTime(tbs[i++]!);
    let nextUpdate: Date | undefined;
    if (tbs[i] && (tbs[i]!.tag === 0x17 || tbs[i]!.tag === 0x18)) nextUpdate = decodeTime(tbs[i++]!);
    const revoked = new Map<string, Date>();
    if (tbs[i]?.tag === 0x30) {
      for (const entry of tbs[i]!.children()) revoked.set(serialKey(entry.child(0)), decodeTime(entry.child(1)));
    }
    const bits = sigValue!.expect(0x03, 'signature').content();
    if (bits[0] !== 0) throw new Error('signature is not whole octets');
    return {
      issuer: issuer.expect(0x30, 'Name').raw(),
      issuerText: nameText(issuer),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      revoked,
      tbs: tbsEl!.raw(),
      signatureAlgorithm: sigAlg!.expect(0x30, 'AlgorithmIdentifier'),
      signature: bits.subarray(1),
    };
  } catch {
    throw new SmimeError('FILE_UNREADABLE', `${name} is not a readable X.509 CRL (DER or PEM)`);
  }
}

/** The issuer Name of a certificate exactly as encoded. */
export function certificateIssuer(cert: X509Certificate): Buffer {
  const tbs = decode(cert.raw).child(0).children();
  return tbs[(tbs[0]!.tag === 0xa0 ? 1 : 0) + 2]!.raw();
}

/** The subject Name of a certificate exactly as encoded. */
export function certificateSubject(cert: X509Certificate): Buffer {
  const tbs = decode(cert.raw).child(0).children();
  return tbs[(tbs[0]!.tag === 0xa0 ? 1 : 0) + 4]!.raw();
}

/** True when `issuer` is named as the CRL's issuer and its key verifies the CRL's signature (RFC 5280 §6.3.3 (f)). */
export function crlSignedBy(crl: Crl, issuer: X509Certificate): boolean {
  if (!certificateSubject(issuer).equals(crl.issuer)) return false;
  const s = signatureScheme(crl.signatureAlgorithm);
  return s.ok && verifySignature(s.scheme, crl.tbs, crl.signature, issuer.publicKey);
}
