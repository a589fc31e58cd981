/**
 * What the core hands to its callers (the renderer over IPC, the CLI as JSON): public facts
 * only, never a password, a key or p12 bytes.
 */
import type { CertificateRef, CertWarning, Decision, ReflectWarning, VerifyFailure } from './codes';

export type KeyType = 'RSA' | 'EC';

/** What inspecting a PKCS#12 file shows before anything is saved (`smime-admin inspect --json`). */
export interface CertificateInfo {
  emails: string[];
  subject: string;
  commonName: string;
  issuer: string;
  issuerCommonName: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  keyType: KeyType;
  keyBits: number;
  curve?: string;
  fingerprintSha256: string;
  signatureAlgorithm: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  isCA: boolean;
  selfSigned: boolean;
  chainLength: number;
  chain: { subject: string; issuer: string; notAfter: string; fingerprintSha256: string }[];
  /** Name of the issuer family the mail service lists as tested, when it is one of them. */
  testedIssuer: string | null;
  warnings: CertWarning[];
}

export type CertStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

/** A registered certificate as screens and the CLI show it, with its status at this moment. */
export interface CertificateView {
  id: string;
  email: string;
  commonName: string;
  subject: string;
  issuer: string;
  issuerCommonName: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  keyType: KeyType;
  keyBits: number;
  chainLength: number;
  status: CertStatus;
  daysLeft: number;
  /** index into settings.warnDays of the tightest threshold crossed, or null */
  threshold: number | null;
  usedBy: string[];
  /**
   * compositions whose last reflection serves this certificate (checked now or not): the mail
   * servers keep using it until that composition is reflected without it
   */
  reflectedIn: string[];
  warnings: CertWarning[];
}

/** One certificate of a chain, as its detail view lists it. */
export interface ChainCertificate {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  fingerprintSha1: string;
}

/** A registry event of one address's certificate, from the audit log. */
export interface CertificateEvent {
  at: string;
  user: string;
  action: 'add' | 'renew' | 'remove';
  fingerprintSha256: string | null;
  previousFingerprintSha256: string | null;
  notAfter: string | null;
}

/** Everything the detail view of one certificate shows. */
export interface CertificateDetail {
  certificate: CertificateView;
  /** the certificate, then the chain its file carries (public certificates only) */
  chain: ChainCertificate[];
  /** adds and renewals of this address, oldest first */
  history: CertificateEvent[];
}

export interface DestinationException {
  id: number;
  pattern: string;
  enabled: boolean;
  isDefault: boolean;
  preset?: 'feature-phone' | 'smartphone';
  note?: string;
}

export interface HeaderException {
  id: number;
  header: string;
  pattern: string;
  enabled: boolean;
  isDefault: boolean;
  note?: string;
}

export interface CompositionView {
  id: string;
  name: string;
  /** the certificates checked in this composition (a listing stays linear in what it lists) */
  certificates: { id: string; email: string; enabled: boolean; status: CertStatus; daysLeft: number }[];
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
  intelligentBcc: boolean;
  pending: boolean;
  lastReflection: { at: string; bundleFile: string; bundleFingerprint: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface Settings {
  /** warning thresholds in days, largest first (default 30 and 7) */
  warnDays: number[];
  language: 'en' | 'ja' | null;
}

export type PendingKind =
  | 'never-reflected'
  | 'renamed'
  | 'certificate-added'
  | 'certificate-removed'
  | 'certificate-renewed'
  | 'destination-added'
  | 'destination-removed'
  | 'header-added'
  | 'header-removed'
  | 'bcc-changed';

/** One difference between a composition and what the servers run; `subject` is data (an address, a pattern, on/off). */
export interface PendingChange {
  kind: PendingKind;
  subject: string;
}

export interface PendingView {
  composition: string;
  lastReflectedAt: string | null;
  changes: PendingChange[];
}

export type ReflectProgress = 'reading-keychain' | 'encrypting' | 'writing' | 'done';

export interface ReflectResult {
  composition: string;
  file: string;
  size: number;
  fingerprintSha256: string;
  certificates: number;
  at: string;
  warnings: ReflectWarning[];
}

export interface ImportResult {
  composition: string;
  created: boolean;
  certificatesAdded: string[];
  certificatesUpdated: string[];
  certificatesUnchanged: string[];
}

/** A verification as people read it: the result and its facts, never the content itself. */
export interface VerificationView {
  valid: boolean;
  failure?: VerifyFailure;
  signerEmail: string | null;
  signerEmails: string[];
  from: string | null;
  fromMatches: boolean;
  signer?: { subject: string; issuer: string; serial: string; fingerprintSha256: string; notAfter: string };
  signingTime?: string;
  digest?: string;
  /** null when no trust anchor was given */
  chainVerified: boolean | null;
}

/** One leaf part of a message, decoded for reading. */
export interface DecodedPart {
  /** where it sits: "1", "1.2" (RFC 3501 part numbers), "" for a single-part message */
  path: string;
  contentType: string;
  /** the charset the part declares (text parts), or null */
  charset: string | null;
  /** the attachment's file name (RFC 2231 / RFC 2047 decoded), or null */
  fileName: string | null;
  /** decoded size in bytes */
  size: number;
  /** the text (text/* parts, decoded by their charset); null for binary parts */
  text: string | null;
  /** the text was cut at the preview limit */
  truncated: boolean;
  /** the declared charset is unknown: the text was read as UTF-8 */
  charsetUnknown: boolean;
}

/** A message as a person reads it: header fields decoded (RFC 2047), text parts decoded by their charset. */
export interface DecodedMessage {
  headers: { name: string; value: string }[];
  parts: DecodedPart[];
}

/** One message the relay would send, as the preview shows it. */
export interface PreviewDelivery {
  /** names the exact bytes kept in main, for saving them as an .eml */
  id: string;
  action: 'sign' | 'unsigned';
  recipients: string[];
  certificate: CertificateRef | null;
  /** the message as text for reading (UTF-8); the bytes themselves stay in main */
  source: string;
  /** the same message decoded for reading; null when it could not be parsed */
  decoded: DecodedMessage | null;
  size: number;
  verification: VerificationView | null;
  warnings: CertWarning[];
}

export interface TestSendResult {
  decisions: Decision[];
  deliveries: PreviewDelivery[];
}

export interface TesterMatch {
  address: string;
  /** the exception that leaves this address unsigned; `candidate` for the pattern being typed */
  match: { kind: 'existing'; id: number; pattern: string } | { kind: 'candidate'; pattern: string } | null;
}
