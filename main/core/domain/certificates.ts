/**
 * The certificate registry: PKCS#12 files for From addresses the certificates name, their
 * passwords in the OS keychain only, status and warnings, renewal and guarded deletion.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CertificateDetail,
  CertificateEvent,
  CertificateInfo,
  CertificateView,
  ChainCertificate,
  CertWarning,
} from '../../contract';
import { EXPIRY_WARNINGS, expiryWarnings, inspectIdentity, normalizeEmail, sameEmail } from '../engine/certificate';
import { checkSigningIdentity, openPkcs12, type SigningIdentity } from '../engine/pkcs12';
import { SmimeError } from '../errors';
import { writeFileAtomic } from '../files';
import { verifyAdminPassword } from './admin-password';
import { readAudit } from './audit';
import { CERT_DIR, type DomainContext } from './context';
import { begin, end, pemFileName, removeStoredRef, type JournalEntry, type StoredRef } from './journal';
import type { AdminState, CertRecord } from './state';
import { statusAt } from './status';

export interface CertificateInput {
  email: string;
  p12: Buffer;
  password: string;
  fileName?: string;
}

/** The keychain account of one certificate version: a renewal stores its secret before the old one goes. */
export function secretAccount(rec: Pick<CertRecord, 'id' | 'version'>): string {
  return `cert:${rec.id}:v${rec.version}`;
}

export function validateEmail(email: string): string {
  const e = email.trim();
  if (!/^[^\s@<>()"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(e) || e.length > 254) {
    throw new SmimeError('EMAIL_INVALID', `"${email}" is not a mail address`);
  }
  return normalizeEmail(e);
}

function toPem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

export function findCert(state: AdminState, email: string): CertRecord {
  const rec = state.certificates.find((c) => sameEmail(c.email, email));
  if (!rec) throw new SmimeError('CERT_NOT_FOUND', `no certificate is registered for ${email.trim()}`);
  return rec;
}

function inspect(ctx: DomainContext, ident: SigningIdentity, warnDays: number): CertificateInfo {
  return inspectIdentity(ident, { now: ctx.now(), warnDays });
}

/** Opens a p12 and inspects it without saving anything: what the add dialog shows first. */
export function previewCertificate(
  ctx: DomainContext,
  p12: Buffer,
  password: string,
  fileName = 'the file',
): CertificateInfo {
  return inspect(ctx, openPkcs12(p12, password, fileName), ctx.load().settings.warnDays[0]!);
}

function checkAddress(info: CertificateInfo, email: string): void {
  if (info.emails.some((e) => sameEmail(e, email))) return;
  throw new SmimeError(
    'EMAIL_NOT_IN_CERTIFICATE',
    info.emails.length > 0
      ? `${email} is not in this certificate; it is for ${info.emails.join(', ')}`
      : `${email} is not in this certificate; it names no mail address at all`,
  );
}

/** Opens the p12 and checks it is for `email`: the validation every add, renew and import does first. */
export function openForAddress(ctx: DomainContext, input: CertificateInput, what = input.fileName ?? 'the file') {
  const ident = openPkcs12(input.p12, input.password, what);
  checkSigningIdentity(ident, what);
  const info = inspect(ctx, ident, ctx.load().settings.warnDays[0]!);
  checkAddress(info, input.email);
  return { ident, info };
}

/** The inspection's public facts a record keeps and every view shows. */
const PUBLIC_FIELDS = [
  'subject',
  'commonName',
  'issuer',
  'issuerCommonName',
  'serial',
  'notBefore',
  'notAfter',
  'fingerprintSha256',
  'keyType',
  'keyBits',
] as const;
type PublicFields = Pick<CertificateInfo, (typeof PUBLIC_FIELDS)[number]>;

function publicFields(src: PublicFields): PublicFields {
  return Object.fromEntries(PUBLIC_FIELDS.map((k) => [k, src[k]])) as unknown as PublicFields;
}

/**
 * A registry record for one version of an address's certificate; its p12 file, its public PEM
 * file and its keychain account are named by id and version. The record keeps what lists show
 * (a registry of ten thousand stays a few MB); the certificates themselves are in the files.
 */
export function makeRecord(
  base: Pick<CertRecord, 'id' | 'version' | 'email' | 'addedAt'>,
  info: CertificateInfo,
  now: Date,
): CertRecord {
  return {
    ...base,
    fileName: `${base.id}-v${base.version}.p12`,
    ...publicFields(info),
    chainLength: info.chainLength,
    warnings: info.warnings.filter((w) => !EXPIRY_WARNINGS.has(w.code)),
    updatedAt: now.toISOString(),
  };
}

/** A version ready to be written: its record, p12, password and the public certificates as PEM. */
export function newVersion(
  base: Pick<CertRecord, 'id' | 'version' | 'email' | 'addedAt'>,
  ident: SigningIdentity,
  info: CertificateInfo,
  now: Date,
  p12: Buffer,
  password: string,
): NewVersion {
  const pem = [ident.certificate, ...ident.chain].map((c) => toPem(c.raw)).join('');
  return { rec: makeRecord(base, info, now), p12, password, pem };
}

/**
 * The warnings of a record that do not depend on the moment. Stored with the record, so a list
 * of ten thousand certificates parses none of them; records written before that are inspected
 * here (and keep the result from their next save on).
 */
export function staticWarnings(rec: CertRecord): CertWarning[] {
  if (rec.warnings) return rec.warnings;
  if (!rec.certificatePem) return [];
  const certificate = new X509Certificate(rec.certificatePem);
  const chain = (rec.chainPem ?? []).map((p) => new X509Certificate(p));
  const { warnings } = inspectIdentity({ certificate, chain, keyType: rec.keyType, keyBits: rec.keyBits });
  return warnings.filter((w) => !EXPIRY_WARNINGS.has(w.code));
}

export interface NewVersion {
  rec: CertRecord;
  p12: Buffer;
  password: string;
  /** the certificate and its chain, public, as PEM */
  pem: string;
}

const ref = (r: StoredRef): StoredRef => ({ id: r.id, version: r.version, fileName: r.fileName });

/**
 * The one way certificate versions are written (add, renew, import): note them in the journal,
 * write the new secrets and files, switch the records with `commit` in one save, then remove the
 * versions replaced and forget the note. A failure before the switch removes what was written;
 * a crash anywhere is finished or rolled back by the recovery pass.
 */
export async function switchVersions(
  ctx: DomainContext,
  op: JournalEntry['op'],
  created: NewVersion[],
  retired: StoredRef[],
  commit: (s: AdminState) => void,
): Promise<void> {
  const entry = begin(
    ctx,
    op,
    created.map((c) => ref(c.rec)),
    retired.map(ref),
  );
  const written: StoredRef[] = [];
  try {
    for (const c of created) {
      await ctx.secrets.set(secretAccount(c.rec), c.password);
      written.push(c.rec);
      writeFileAtomic(join(ctx.certDir(), c.rec.fileName), c.p12, 0o600);
      writeFileAtomic(join(ctx.certDir(), pemFileName(c.rec.fileName)), c.pem, 0o600);
    }
    ctx.mutate(commit);
  } catch (e) {
    // a secret the keychain refused to store was never stored: only what was written is undone
    let clean = true;
    for (const r of written) clean = (await removeStoredRef(ctx, r, secretAccount)) && clean;
    if (clean) end(ctx, entry);
    throw e;
  }
  let clean = true;
  for (const r of retired) clean = (await removeStoredRef(ctx, r, secretAccount)) && clean;
  if (clean) end(ctx, entry);
}

/** Registers a p12 for a From address that the certificate names. */
async function addCertificateNow(ctx: DomainContext, input: CertificateInput): Promise<CertificateView> {
  const typed = validateEmail(input.email);
  const { ident, info } = openForAddress(ctx, { ...input, email: typed });
  // registered as the certificate spells it: INFO@example.com typed for info@example.com shows as info@
  const email = info.emails.find((e) => sameEmail(e, typed)) ?? typed;
  const exists = (s: AdminState) => s.certificates.some((c) => sameEmail(c.email, email));
  if (exists(ctx.load()))
    throw new SmimeError('CERT_EXISTS', `a certificate for ${email} is already registered; renew it instead`);
  const base = { id: randomUUID(), version: 1, email, addedAt: ctx.now().toISOString() };
  const v = newVersion(base, ident, info, ctx.now(), input.p12, input.password);
  const rec = v.rec;
  await switchVersions(ctx, 'add', [v], [], (s) => {
    if (exists(s)) throw new SmimeError('CERT_EXISTS', `a certificate for ${email} is already registered`);
    s.certificates.push(rec);
  });
  ctx.audit('certificate.add', email, { fingerprintSha256: rec.fingerprintSha256, notAfter: rec.notAfter });
  return getCertificate(ctx, email);
}

/** Replaces the p12 of an address; the old one stays in force until the new one is validated and saved. */
async function renewCertificateNow(ctx: DomainContext, input: CertificateInput): Promise<CertificateView> {
  const email = validateEmail(input.email);
  const old = findCert(ctx.load(), email);
  const { ident, info } = openForAddress(ctx, { ...input, email });
  const base = { id: old.id, version: old.version + 1, email: old.email, addedAt: old.addedAt };
  const v = newVersion(base, ident, info, ctx.now(), input.p12, input.password);
  const rec = v.rec;
  const commit = (s: AdminState): void => {
    const idx = s.certificates.findIndex((c) => c.id === old.id && c.version === old.version);
    if (idx < 0) throw new SmimeError('CERT_NOT_FOUND', `no certificate is registered for ${email}`);
    s.certificates[idx] = rec;
  };
  await switchVersions(ctx, 'renew', [v], [old], commit);
  const details = {
    fingerprintSha256: rec.fingerprintSha256,
    previousFingerprintSha256: old.fingerprintSha256,
    notAfter: rec.notAfter,
  };
  ctx.audit('certificate.renew', email, details);
  return getCertificate(ctx, email);
}

/** Compositions that still need a certificate: checked in them, or served by their last reflection. */
export function certificateUsers(state: AdminState, rec: CertRecord): { checked: string[]; reflected: string[] } {
  const checked = state.compositions.filter((c) => c.certificateIds.includes(rec.id)).map((c) => c.name);
  const reflected = state.compositions
    .filter((c) => !c.certificateIds.includes(rec.id))
    .filter((c) => c.lastReflection?.snapshot.certificates.some((x) => sameEmail(x.email, rec.email)))
    .map((c) => c.name);
  return { checked, reflected };
}

/** Deletes a certificate: admin password first, and only once no composition uses it, not even in its last reflection. */
async function removeCertificateNow(
  ctx: DomainContext,
  input: { email: string; adminPassword: string },
): Promise<void> {
  const state = ctx.load();
  verifyAdminPassword(state.adminPassword, input.adminPassword);
  const rec = findCert(state, input.email);
  const { checked, reflected } = certificateUsers(state, rec);
  if (checked.length > 0 || reflected.length > 0) {
    const quoted = (xs: string[]) => xs.map((n) => `"${n}"`).join(', ');
    const parts: string[] = [];
    if (checked.length > 0) parts.push(`it is checked in ${quoted(checked)}: uncheck it there`);
    if (reflected.length > 0) {
      const which = reflected.length === 1 ? 'that composition' : 'those compositions';
      parts.push(`the mail servers still use it through ${quoted(reflected)}: reflect ${which} first`);
    }
    throw new SmimeError('CERT_IN_USE', `the certificate for ${rec.email} is still in use; ${parts.join('; ')}`);
  }
  // the secret goes first: if the keychain is unavailable, nothing has changed yet
  const entry = begin(ctx, 'remove', [], [ref(rec)]);
  let password: string | null;
  try {
    password = await ctx.secrets.get(secretAccount(rec));
    await ctx.secrets.delete(secretAccount(rec));
  } catch (e) {
    end(ctx, entry);
    throw e;
  }
  try {
    ctx.mutate((s) => {
      s.certificates = s.certificates.filter((c) => c.id !== rec.id);
    });
  } catch (e) {
    if (password !== null) await ctx.secrets.set(secretAccount(rec), password).catch(() => undefined);
    end(ctx, entry);
    throw e;
  }
  rmSync(join(ctx.certDir(), rec.fileName), { force: true });
  rmSync(join(ctx.certDir(), pemFileName(rec.fileName)), { force: true });
  end(ctx, entry);
  ctx.audit('certificate.remove', rec.email, { fingerprintSha256: rec.fingerprintSha256 });
}

/** Compositions whose last reflection serves each address (normalised), built once for a listing. */
function reflectedBy(state: AdminState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of state.compositions) {
    for (const x of c.lastReflection?.snapshot.certificates ?? []) {
      const k = normalizeEmail(x.email).toLowerCase();
      out.set(k, [...(out.get(k) ?? []), c.name]);
    }
  }
  return out;
}

/** A record as screens and the CLI show it, with its status at this moment. */
export function certificateView(
  rec: CertRecord,
  state: AdminState,
  now: Date,
  usedBy = state.compositions.filter((c) => c.certificateIds.includes(rec.id)).map((c) => c.name),
  reflectedIn = state.compositions
    .filter((c) => c.lastReflection?.snapshot.certificates.some((x) => sameEmail(x.email, rec.email)))
    .map((c) => c.name),
): CertificateView {
  const validity = [new Date(rec.notBefore), new Date(rec.notAfter)] as const;
  const expiry = expiryWarnings(validity[0], validity[1], now, state.settings.warnDays[0] ?? 30);
  const stat = staticWarnings(rec);
  const warnings = [...expiry, ...stat];
  return {
    id: rec.id,
    email: rec.email,
    ...publicFields(rec),
    chainLength: rec.chainLength ?? rec.chainPem?.length ?? 0,
    ...statusAt(rec, now, state.settings.warnDays),
    usedBy,
    reflectedIn,
    warnings,
  };
}

/** Every registered certificate, soonest expiry first. */
export function listCertificates(ctx: DomainContext): CertificateView[] {
  const state = ctx.load();
  const now = ctx.now();
  const usedBy = new Map<string, string[]>();
  for (const c of state.compositions) {
    for (const id of c.certificateIds) usedBy.set(id, [...(usedBy.get(id) ?? []), c.name]);
  }
  const reflected = reflectedBy(state);
  return state.certificates
    .map((c) =>
      certificateView(
        c,
        state,
        now,
        usedBy.get(c.id) ?? [],
        reflected.get(normalizeEmail(c.email).toLowerCase()) ?? [],
      ),
    )
    .sort((a, b) => a.notAfter.localeCompare(b.notAfter));
}

export function getCertificate(ctx: DomainContext, email: string): CertificateView {
  const state = ctx.load();
  return certificateView(findCert(state, email), state, ctx.now());
}

/** Written as the inspection writes them (names as "CN=…, O=…", fingerprints with colons). */
function chainEntry(c: X509Certificate): ChainCertificate {
  const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');
  return {
    subject: dn(c.subject),
    issuer: dn(c.issuer),
    serial: c.serialNumber.toUpperCase(),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    fingerprintSha256: c.fingerprint256,
    fingerprintSha1: c.fingerprint,
  };
}

/** The public certificates stored with a record (certs/<file>.pem, or the PEM of older records), leaf first. */
function storedChain(ctx: DomainContext, rec: CertRecord): ChainCertificate[] {
  let pems: string[];
  try {
    const text = readFileSync(join(ctx.dataDir, CERT_DIR, pemFileName(rec.fileName)), 'utf8');
    pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  } catch {
    pems = rec.certificatePem ? [rec.certificatePem, ...(rec.chainPem ?? [])] : [];
  }
  return pems.flatMap((p) => {
    try {
      return [chainEntry(new X509Certificate(p))];
    } catch {
      return [];
    }
  });
}

const EVENT_ACTIONS: Record<string, CertificateEvent['action']> = {
  'certificate.add': 'add',
  'certificate.renew': 'renew',
  'certificate.remove': 'remove',
};

/**
 * One certificate as its detail view shows it: the view, the chain stored with it, and every
 * add, renewal and removal of its address in the audit log, oldest first.
 */
export function certificateDetail(ctx: DomainContext, email: string): CertificateDetail {
  const state = ctx.load();
  const rec = findCert(state, email);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const history = readAudit(ctx.dataDir, { action: 'certificate', target: rec.email })
    .filter((e) => e.action in EVENT_ACTIONS && !!e.target && sameEmail(e.target, rec.email))
    .reverse()
    .map((e): CertificateEvent => ({
      at: e.at,
      user: e.user,
      action: EVENT_ACTIONS[e.action]!,
      fingerprintSha256: str(e.details?.fingerprintSha256),
      previousFingerprintSha256: str(e.details?.previousFingerprintSha256),
      notAfter: str(e.details?.notAfter),
    }));
  return { certificate: certificateView(rec, state, ctx.now()), chain: storedChain(ctx, rec), history };
}

/** Certificates that are expired or inside a warning threshold: for start-up and daily notices. */
export function certificatesNeedingAttention(ctx: DomainContext): CertificateView[] {
  return listCertificates(ctx).filter((c) => c.status !== 'valid');
}

/**
 * The stored p12 and its keychain password, not opened: what reflecting needs (the p12 was
 * validated when it was registered, and every relay opens it again when it loads the bundle).
 */
export async function loadSecret(ctx: DomainContext, rec: CertRecord): Promise<{ p12: Buffer; password: string }> {
  const password = await ctx.secrets.get(secretAccount(rec));
  if (password === null) {
    throw new SmimeError(
      'SECRET_MISSING',
      `the keychain holds no password for the certificate of ${rec.email}; renew the certificate to store it again`,
    );
  }
  try {
    return { p12: readFileSync(join(ctx.dataDir, CERT_DIR, rec.fileName)), password };
  } catch {
    throw new SmimeError(
      'FILE_UNREADABLE',
      `the PKCS#12 file of ${rec.email} is missing from ${join(ctx.dataDir, CERT_DIR)}; renew the certificate`,
    );
  }
}

/** The stored p12 and its keychain password, opened: what signing needs. */
export async function loadIdentity(
  ctx: DomainContext,
  rec: CertRecord,
): Promise<{ identity: SigningIdentity; p12: Buffer; password: string }> {
  const { p12, password } = await loadSecret(ctx, rec);
  return { identity: openPkcs12(p12, password, `the stored certificate of ${rec.email}`), p12, password };
}

/** Registers a p12 for a From address that the certificate names, as the folder's only writer. */
export const addCertificate = (ctx: DomainContext, input: CertificateInput): Promise<CertificateView> =>
  ctx.exclusive(() => addCertificateNow(ctx, input));

/** Replaces the p12 of an address, as the folder's only writer. */
export const renewCertificate = (ctx: DomainContext, input: CertificateInput): Promise<CertificateView> =>
  ctx.exclusive(() => renewCertificateNow(ctx, input));

/** Deletes a certificate, as the folder's only writer. */
export const removeCertificate = (ctx: DomainContext, input: { email: string; adminPassword: string }): Promise<void> =>
  ctx.exclusive(() => removeCertificateNow(ctx, input));
