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

/** An exception as a composition's view shows it: marked when it matches every ordinary address or value. */
export type DestinationExceptionView = DestinationException & { matchesEverything?: true };
export type HeaderExceptionView = HeaderException & { matchesEverything?: true };

export interface CompositionView {
  id: string;
  name: string;
  /** the certificates checked in this composition (a listing stays linear in what it lists) */
  certificates: { id: string; email: string; enabled: boolean; status: CertStatus; daysLeft: number }[];
  destinationExceptions: DestinationExceptionView[];
  headerExceptions: HeaderExceptionView[];
  intelligentBcc: boolean;
  pending: boolean;
  lastReflection: { at: string; bundleFile: string; bundleFingerprint: string } | null;
  /** the folder the relays watch, where every reflection is also written (null: none) */
  publishDir: string | null;
  /** status URLs of the relays that run this composition */
  servers: string[];
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
  /** the composition's id: it stays across renames */
  id: string;
  composition: string;
  lastReflectedAt: string | null;
  changes: PendingChange[];
}

export type ReflectProgress = 'reading-keychain' | 'encrypting' | 'writing' | 'done';

export interface ReflectResult {
  composition: string;
  /** the reflection's number: each is higher than the last */
  serial: number;
  file: string;
  /** where it was also written for the relays (the composition's publish folder), or null */
  published: string | null;
  size: number;
  fingerprintSha256: string;
  certificates: number;
  at: string;
  warnings: ReflectWarning[];
}

/** Exactly what a reflection sends, and what needs the admin's explicit confirmation first. */
export interface ReflectReview {
  composition: { id: string; name: string };
  certificates: {
    email: string;
    fingerprintSha256: string;
    notBefore: string;
    notAfter: string;
    status: CertStatus;
    daysLeft: number;
    warnings: CertWarning[];
  }[];
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
  intelligentBcc: boolean;
  /** the difference from the last reflection */
  changes: PendingChange[];
  /** each must be confirmed before the bundle is written */
  confirmations: ReflectWarning[];
  /** what to send back as `confirm` once the admin confirmed them (one key per confirmation, same order) */
  confirmationKeys: string[];
  lastReflection: { at: string; serial: number | null; file: string } | null;
  publishDir: string | null;
  /** the file name a bundle of this reflection gets: recognisable, unique, safe on every file system */
  suggestedFileName: string;
}

/** One reflection of a composition, as its history lists it. */
export interface HistoryEntry {
  serial: number;
  at: string;
  by: string;
  file: string;
  published: string | null;
  fingerprintSha256: string;
  certificates: number;
  changes: PendingChange[];
  /** a re-export of an older reflection's settings */
  reexportOf: number | null;
}

/** Why a relay's status could not be read, for the UI to say in its language. */
export type ServerUnreachable =
  'refused' | 'closed' | 'timeout' | 'unknown-host' | 'unreachable' | 'relay-error' | 'not-a-relay' | 'other';

/** A relay as the app sees it: reachable or not, and which reflection it runs. */
export interface ServerStatusView {
  url: string;
  reachable: boolean;
  /** why it could not be asked, when it was not reachable: the code, and the technical detail */
  reason?: ServerUnreachable;
  error?: string;
  compositionId?: string;
  serial?: number;
  fingerprintSha256?: string;
  loadedAt?: string;
  lastReloadError?: string | null;
  /** the history entry whose bundle it runs, by fingerprint (null: not one this machine reflected) */
  runsSerial: number | null;
  /** it runs the composition's latest reflection */
  current: boolean;
}

export interface CompositionServers {
  composition: string;
  latestSerial: number | null;
  /** every server runs the latest reflection */
  inEffect: boolean;
  servers: ServerStatusView[];
}

/** What importing a bundle would do, shown before anything changes. */
export interface ImportPreview {
  composition: string;
  createsComposition: boolean;
  serial: number;
  /** the bundle is older than what this composition last reflected */
  older: boolean;
  certificatesAdded: string[];
  certificatesUpdated: string[];
  /** settings that would change (the pending-change kinds, as if the bundle were the reflection) */
  changes: PendingChange[];
  /** local changes not yet reflected that importing would discard */
  discardsPending: PendingChange[];
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

/** One entry of the audit log, as the viewer and `audit show --json` give it. */
export interface AuditEntryView {
  at: string;
  user: string;
  action: string;
  target?: string;
  details?: Record<string, string | number | boolean | null>;
}

/** Whether the audit log's chain holds, and where it first breaks. */
export interface AuditCheckView {
  entries: number;
  unchained: number;
  intact: boolean;
  broken?: { line: number; at?: string; action?: string; reason: 'not-json' | 'changed' | 'link' | 'truncated' };
}

export interface TesterMatch {
  address: string;
  /** the exception that leaves this address unsigned; `candidate` for the pattern being typed */
  match: { kind: 'existing'; id: number; pattern: string } | { kind: 'candidate'; pattern: string } | null;
}
