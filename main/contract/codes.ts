/**
 * Every code that crosses a boundary (core → CLI, main → renderer, relay → log): errors,
 * certificate warnings, send decisions, verification failures and reflect warnings. Each is
 * `{ code, params }`; people read the text that `messages.ts` renders at the edge, in their
 * language. Callers branch on codes, never on words.
 */

export type ErrorCode =
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'OUTPUT_UNWRITABLE'
  | 'P12_NOT_PKCS12'
  | 'P12_CORRUPT'
  | 'P12_WRONG_PASSWORD'
  | 'P12_NO_KEY'
  | 'P12_NO_CERTIFICATE'
  | 'P12_KEY_MISMATCH'
  | 'P12_UNSUPPORTED'
  | 'KEY_UNSUPPORTED'
  | 'MESSAGE_INVALID'
  | 'MESSAGE_ALREADY_SMIME'
  | 'NOT_SIGNED'
  | 'SIGNATURE_MALFORMED'
  | 'USAGE'
  | 'SECRET_MISSING'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEYCHAIN_TIMEOUT'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  | 'EMAIL_NOT_IN_CERTIFICATE'
  | 'EMAIL_INVALID'
  | 'CERT_EXISTS'
  | 'CERT_NOT_FOUND'
  | 'CERT_IN_USE'
  | 'ADMIN_PASSWORD_NOT_SET'
  | 'ADMIN_PASSWORD_WRONG'
  | 'ADMIN_PASSWORD_WEAK'
  | 'COMPOSITION_EXISTS'
  | 'COMPOSITION_NOT_FOUND'
  | 'NAME_INVALID'
  | 'PATTERN_INVALID'
  | 'HEADER_NAME_INVALID'
  | 'EXCEPTION_NOT_FOUND'
  | 'BUNDLE_INVALID'
  | 'BUNDLE_TAMPERED'
  | 'BUNDLE_WRONG_PASSPHRASE'
  | 'BUNDLE_UNSUPPORTED_VERSION'
  | 'PASSPHRASE_WEAK'
  | 'IPC_INVALID'
  | 'IPC_FORBIDDEN'
  | 'IPC_TOO_LARGE'
  | 'FILE_TOKEN_UNKNOWN'
  | 'REFLECT_NOT_CONFIRMED'
  | 'SERVER_UNREACHABLE'
  | 'INTERNAL';

/** A `{ code, params }` pair from a table of parameter shapes. */
export type Coded<T> = { [C in keyof T]: { code: C; params: T[C] } }[keyof T];

// ---------------------------------------------------------------- certificate warnings

/** What inspecting a certificate can find, with the facts each finding needs to be told. */
export interface CertWarningParams {
  expired: { date: string };
  'not-yet-valid': { date: string };
  'expires-soon': { days: number; date: string };
  /** `usages` empty: the certificate has no EKU at all (a warning); else the EKUs it has instead (an error) */
  'no-email-protection-eku': { usages: string[] };
  /** `nonRepudiationOnly`: may sign, but only nonRepudiation is set (a warning) */
  'no-digital-signature': { nonRepudiationOnly: boolean };
  'weak-rsa-key': { bits: number };
  'sha1-signature': Record<string, never>;
  'missing-intermediate': { issuer: string };
  'ca-certificate': Record<string, never>;
  'validity-over-825-days': { days: number };
  'forbidden-eku': { usages: string[] };
  'no-email-address': Record<string, never>;
  'self-signed': Record<string, never>;
  'untested-issuer': Record<string, never>;
  /** `subject`: the certificate (the signer's or one of its chain) whose EC key spells out its curve */
  'explicit-ec-parameters': { subject: string };
}
export type CertWarningCode = keyof CertWarningParams;
export type Severity = 'error' | 'warning' | 'info';
export type CertWarning = Coded<CertWarningParams> & { severity: Severity };

// ---------------------------------------------------------------- send decisions

export interface CertificateRef {
  email: string;
  fingerprintSha256: string;
}

/** Why a recipient gets what it gets. */
export interface DecisionParams {
  signed: { email: string };
  'bcc-copy': Record<string, never>;
  'header-exception': { id: number; header: string; value: string; pattern: string };
  'already-secured': { contentType: string };
  'destination-exception': { id: number; pattern: string };
  /** `sender` null: the message has neither From nor MAIL FROM */
  'no-certificate': { sender: string | null; composition: string };
  'certificate-expired': { email: string; notAfter: string };
  'certificate-not-yet-valid': { email: string; notBefore: string };
}
export type DecisionReason = keyof DecisionParams;
export type UnsignedReason =
  'bcc-copy' | 'header-exception' | 'already-secured' | 'destination-exception' | 'no-certificate';
export type RejectReason = 'certificate-expired' | 'certificate-not-yet-valid';

/** The reply a relay gives for a rejected recipient (RFC 5321 code, RFC 3463 enhanced code, text). */
export interface SmtpReply {
  code: number;
  enhanced: string;
  text: string;
}

export const SMTP_EXPIRED: SmtpReply = { code: 451, enhanced: '4.7.5', text: 'S/MIME certificate is expired' };
export const SMTP_NOT_YET_VALID: SmtpReply = {
  code: 451,
  enhanced: '4.7.5',
  text: 'S/MIME certificate is not yet valid',
};

type DecisionOf<R extends DecisionReason> = { recipient: string; reason: R; params: DecisionParams[R] };
export type SignDecision = DecisionOf<'signed'> & { action: 'sign'; certificate: CertificateRef };
export type UnsignedDecision = { [R in UnsignedReason]: DecisionOf<R> & { action: 'unsigned' } }[UnsignedReason];
export type RejectDecision = {
  [R in RejectReason]: DecisionOf<R> & { action: 'reject'; certificate: CertificateRef; smtp: SmtpReply };
}[RejectReason];
/** What the relay does for one recipient: sign with a certificate, send unsigned (and why), or reject. */
export type Decision = SignDecision | UnsignedDecision | RejectDecision;

// ---------------------------------------------------------------- verification

/** Why a signature is not valid. */
export interface VerifyFailureParams {
  'not-signed-data': Record<string, never>;
  'no-signed-content': Record<string, never>;
  'no-signer': Record<string, never>;
  'signer-certificate-missing': Record<string, never>;
  'unsupported-digest': Record<string, never>;
  'ess-hash-mismatch': Record<string, never>;
  'no-message-digest': Record<string, never>;
  'content-type-not-data': Record<string, never>;
  'content-changed': Record<string, never>;
  'unsupported-signature-algorithm': Record<string, never>;
  'bad-signature': Record<string, never>;
  'certificate-not-valid-at': { subject: string; at: string };
  'anchor-not-valid-at': { at: string };
  'chain-incomplete': Record<string, never>;
  'issuer-not-ca': { subject: string };
  'chain-too-long': Record<string, never>;
  /** multipart/signed whose CMS also encapsulates content (eContent confusion, RFC 8551 §3.5.3) */
  'encapsulated-content-in-detached': Record<string, never>;
  /** RSASSA-PSS parameters malformed, not the digest algorithm's hash, or outside the key's restrictions (RFC 4056 §3) */
  'pss-parameters-invalid': Record<string, never>;
  /** the signer's certificate encodes explicit EC parameters, which OpenSSL, NSS and gpgsm reject (RFC 5480 §2.1.1) */
  'explicit-ec-parameters': { subject: string };
  'signing-time-outside-validity': { at: string; notBefore: string; notAfter: string };
  /** key usage present without digitalSignature or nonRepudiation (RFC 8550 §4.4.2) */
  'key-usage-forbids-signing': { usages: string[] };
  /** extended key usage present without emailProtection or anyExtendedKeyUsage, on the signer or an issuer */
  'eku-not-email-protection': { subject: string; usages: string[] };
  'certificate-revoked': { subject: string; date: string };
  /** --crl was given but none of the CRLs is from the signer's issuer */
  'crl-missing': { issuer: string };
  /** a CRL's signature does not verify with its issuer's key, or its issuer is not in the chain */
  'crl-invalid': { issuer: string };
  'crl-expired': { issuer: string; nextUpdate: string };
  'crl-not-yet-valid': { issuer: string; thisUpdate: string };
  /** the signer does not speak for the From address (also the innermost signer of a nested message) */
  'signer-not-from': { from: string; signers: string[] };
  'no-from': Record<string, never>;
  'multiple-from-fields': { count: number };
  'multiple-from-addresses': { addresses: string[] };
}
export type VerifyFailureCode = keyof VerifyFailureParams;
export type VerifyFailure = Coded<VerifyFailureParams>;

// ---------------------------------------------------------------- reflect

/** What the admin should know about a bundle about to go to the servers. */
export interface ReflectWarningParams {
  'certificate-expired': { email: string; date: string };
  'certificate-expiring': { email: string; days: number };
  'certificate-not-yet-valid': { email: string; date: string };
  /** the composition signs nothing: no certificate is checked in it */
  'no-certificate': Record<string, never>;
  /** an exception that every ordinary address (or header value) matches: it unsigns all mail */
  'matches-everything': { kind: 'destination' | 'header'; id: number; pattern: string; header?: string };
}
export type ReflectWarningCode = keyof ReflectWarningParams;
export type ReflectWarning = Coded<ReflectWarningParams>;
