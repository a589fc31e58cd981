/** Object identifiers used across PKCS#12, X.509 and CMS (RFC 5652, RFC 5035, RFC 8551, RFC 5754, RFC 7292). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  encryptedData: '1.2.840.113549.1.7.6',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  smimeCapabilities: '1.2.840.113549.1.9.15',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  emailAddress: '1.2.840.113549.1.9.1',
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha1: '1.2.840.10045.4.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha224: '2.16.840.1.101.3.4.2.4',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha224: '1.2.840.113549.2.8',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha384: '1.2.840.113549.2.10',
  hmacSha512: '1.2.840.113549.2.11',
  pbeSha3DES: '1.2.840.113549.1.12.1.3',
  pbeSha2DES: '1.2.840.113549.1.12.1.4',
  pbeShaRC2_128: '1.2.840.113549.1.12.1.5',
  pbeShaRC2_40: '1.2.840.113549.1.12.1.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbmac1: '1.2.840.113549.1.5.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  ekuServerAuth: '1.3.6.1.5.5.7.3.1',
  ekuClientAuth: '1.3.6.1.5.5.7.3.2',
  ekuCodeSigning: '1.3.6.1.5.5.7.3.3',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuOcspSigning: '1.3.6.1.5.5.7.3.9',
  ekuAny: '2.5.29.37.0',
} as const;

export type DigestName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

type Kind = 'digest' | 'hmac' | 'signature' | 'eku' | 'cipher';

interface OidInfo {
  kind: Kind;
  /** the name OpenSSL and the RFCs use, for people */
  name: string;
  /** the hash of a digest, an HMAC or a signature algorithm */
  digest?: DigestName;
  /** Node's cipher name and key length, for PBES2 encryption schemes */
  cipher?: { node: string; keyLength: number };
}

/** The one table from OID to meaning: every name, digest and cipher the engine reads. */
const REGISTRY: Record<string, OidInfo> = {
  [OID.sha1]: { kind: 'digest', name: 'SHA-1', digest: 'sha1' },
  [OID.sha224]: { kind: 'digest', name: 'SHA-224', digest: 'sha224' },
  [OID.sha256]: { kind: 'digest', name: 'SHA-256', digest: 'sha256' },
  [OID.sha384]: { kind: 'digest', name: 'SHA-384', digest: 'sha384' },
  [OID.sha512]: { kind: 'digest', name: 'SHA-512', digest: 'sha512' },
  [OID.hmacSha1]: { kind: 'hmac', name: 'HMAC-SHA1', digest: 'sha1' },
  [OID.hmacSha224]: { kind: 'hmac', name: 'HMAC-SHA224', digest: 'sha224' },
  [OID.hmacSha256]: { kind: 'hmac', name: 'HMAC-SHA256', digest: 'sha256' },
  [OID.hmacSha384]: { kind: 'hmac', name: 'HMAC-SHA384', digest: 'sha384' },
  [OID.hmacSha512]: { kind: 'hmac', name: 'HMAC-SHA512', digest: 'sha512' },
  [OID.sha1WithRSA]: { kind: 'signature', name: 'sha1WithRSAEncryption', digest: 'sha1' },
  [OID.sha256WithRSA]: { kind: 'signature', name: 'sha256WithRSAEncryption', digest: 'sha256' },
  [OID.sha384WithRSA]: { kind: 'signature', name: 'sha384WithRSAEncryption', digest: 'sha384' },
  [OID.sha512WithRSA]: { kind: 'signature', name: 'sha512WithRSAEncryption', digest: 'sha512' },
  [OID.rsaPss]: { kind: 'signature', name: 'RSASSA-PSS' },
  [OID.ecdsaSha1]: { kind: 'signature', name: 'ecdsa-with-SHA1', digest: 'sha1' },
  [OID.ecdsaSha256]: { kind: 'signature', name: 'ecdsa-with-SHA256', digest: 'sha256' },
  [OID.ecdsaSha384]: { kind: 'signature', name: 'ecdsa-with-SHA384', digest: 'sha384' },
  [OID.ecdsaSha512]: { kind: 'signature', name: 'ecdsa-with-SHA512', digest: 'sha512' },
  [OID.ekuServerAuth]: { kind: 'eku', name: 'serverAuth' },
  [OID.ekuClientAuth]: { kind: 'eku', name: 'clientAuth' },
  [OID.ekuCodeSigning]: { kind: 'eku', name: 'codeSigning' },
  [OID.ekuEmailProtection]: { kind: 'eku', name: 'emailProtection' },
  [OID.ekuTimeStamping]: { kind: 'eku', name: 'timeStamping' },
  [OID.ekuOcspSigning]: { kind: 'eku', name: 'OCSPSigning' },
  [OID.ekuAny]: { kind: 'eku', name: 'anyExtendedKeyUsage' },
  [OID.aes128cbc]: { kind: 'cipher', name: 'AES-128-CBC', cipher: { node: 'aes-128-cbc', keyLength: 16 } },
  [OID.aes192cbc]: { kind: 'cipher', name: 'AES-192-CBC', cipher: { node: 'aes-192-cbc', keyLength: 24 } },
  [OID.aes256cbc]: { kind: 'cipher', name: 'AES-256-CBC', cipher: { node: 'aes-256-cbc', keyLength: 32 } },
  [OID.desEde3Cbc]: { kind: 'cipher', name: '3DES-CBC', cipher: { node: 'des-ede3-cbc', keyLength: 24 } },
};

function lookup(oid: string, kind: Kind): OidInfo | undefined {
  const info = REGISTRY[oid];
  return info?.kind === kind ? info : undefined;
}

export const DIGEST_OID: Record<DigestName, string> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** The hash of a digest algorithm OID (RFC 5754), or undefined for one the engine does not know. */
export function digestFromOid(oid: string): DigestName | undefined {
  return lookup(oid, 'digest')?.digest;
}

/** The hash of an HMAC OID (RFC 8018 App. B.1), used as PBKDF2 PRF and as PBMAC1 MAC. */
export function hmacDigest(oid: string): DigestName | undefined {
  return lookup(oid, 'hmac')?.digest;
}

/** The hash a signature algorithm OID implies (sha256WithRSAEncryption → sha256); none for RSASSA-PSS. */
export function signatureDigest(oid: string): DigestName | undefined {
  return lookup(oid, 'signature')?.digest;
}

export function isSignatureAlgorithm(oid: string): boolean {
  return lookup(oid, 'signature') !== undefined;
}

/** A PBES2 encryption scheme's cipher (RFC 8018 §6.2), or undefined. */
export function cipherFromOid(oid: string): { node: string; keyLength: number; name: string } | undefined {
  const info = lookup(oid, 'cipher');
  return info?.cipher ? { ...info.cipher, name: info.name } : undefined;
}

/** The usual name of a signature algorithm or extended key usage; the dotted OID when unknown. */
export function oidName(oid: string): string {
  return REGISTRY[oid]?.name ?? oid;
}
