/**
 * The management console's operations, as plain Node: certificates with keychain
 * secrets, server compositions and their exceptions, pending changes, reflect and
 * bundles, and test sends. The desktop app and the CLI are thin layers over this.
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hashAdminPassword, verifyAdminPassword } from './admin-password';
import { appendAudit, osUser } from './audit';
import { checkPassphrase, openBundle, writeBundle, type BundleSecretCertificate } from '../relay/bundle';
import { daysUntil, inspectIdentity, normalizeEmail, sameEmail, type CertificateInfo, type CertWarning } from '../engine/certificate';
import { prepareSigner } from '../engine/cms';
import { SmimeError } from '../errors';
import { writeFileAtomic } from '../files';
import { parseMessage } from '../engine/mime';
import { openPkcs12, type SigningIdentity } from '../engine/pkcs12';
import { compilePattern, defaultDestinationExceptions, defaultHeaderExceptions, PatternSet, validateHeaderName } from '../relay/patterns';
import { compilePolicy, decide, groupDeliveries, type Decision, type Envelope } from '../relay/policy';
import { systemClock, type Clock, type SecretStore, type StateStore } from '../ports';
import { signMessage, verifyMessage, type VerifyResult } from '../engine/smime';
import type { AdminState, CertRecord, Composition, CompositionSnapshot, DestinationException, HeaderException, Settings } from './state';

export type CertStatus = 'valid' | 'expiring' | 'expired' | 'not-yet-valid';

/** A registered certificate as screens and the CLI show it: the stored record's public fields, with status at this moment. */
export interface CertificateView
  extends Pick<CertRecord, 'id' | 'email' | 'commonName' | 'subject' | 'issuer' | 'issuerCommonName' | 'serial' | 'notBefore' | 'notAfter' | 'fingerprintSha256' | 'keyType' | 'keyBits'> {
  chainLength: number;
  status: CertStatus;
  daysLeft: number;
  /** index into settings.warnDays of the tightest threshold crossed, or null */
  threshold: number | null;
  usedBy: string[];
  warnings: CertWarning[];
}

export interface CompositionView {
  id: string;
  name: string;
  certificates: { id: string; email: string; enabled: boolean; status: CertStatus; daysLeft: number }[];
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
  intelligentBcc: boolean;
  pending: boolean;
  lastReflection: { at: string; bundleFile: string; bundleFingerprint: string } | null;
  createdAt: string;
  updatedAt: string;
}

export type PendingKind =
  | 'never-reflected'
  | 'certificate-added'
  | 'certificate-removed'
  | 'certificate-renewed'
  | 'destination-added'
  | 'destination-removed'
  | 'header-added'
  | 'header-removed'
  | 'bcc-changed';

export interface PendingChange {
  kind: PendingKind;
  subject: string;
}

export interface PendingView {
  composition: string;
  lastReflectedAt: string | null;
  changes: PendingChange[];
}

export interface ReflectResult {
  composition: string;
  file: string;
  size: number;
  fingerprintSha256: string;
  certificates: number;
  at: string;
  warnings: string[];
}

export interface ImportResult {
  composition: string;
  created: boolean;
  certificatesAdded: string[];
  certificatesUpdated: string[];
  certificatesUnchanged: string[];
}

export type ReflectProgress = 'reading-keychain' | 'encrypting' | 'writing' | 'done';

export interface TestSendResult {
  decisions: Decision[];
  deliveries: {
    action: 'sign' | 'unsigned';
    recipients: string[];
    certificate?: { email: string; fingerprintSha256: string };
    message: string;
    verification?: Omit<VerifyResult, 'content' | 'outerHeaders'>;
    warnings: CertWarning[];
  }[];
}

export const SECRET_SERVICE = 'smime-admin';
const CERT_DIR = 'certs';
const MAX_NAME = 64;

export interface AdminDeps {
  store: StateStore;
  secrets: SecretStore;
  dataDir: string;
  clock?: Clock;
}

function account(rec: Pick<CertRecord, 'id' | 'version'>): string {
  return `cert:${rec.id}:v${rec.version}`;
}

function validateName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(n)) {
    throw new SmimeError('NAME_INVALID', `a composition name has 1 to ${MAX_NAME} characters and no control characters`);
  }
  return n;
}

function validateEmail(email: string): string {
  const e = email.trim();
  if (!/^[^\s@<>()"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(e) || e.length > 254) {
    throw new SmimeError('EMAIL_INVALID', `"${email}" is not a mail address`);
  }
  return normalizeEmail(e);
}

function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

export class AdminService {
  private readonly store: StateStore;
  private readonly secrets: SecretStore;
  private readonly clock: Clock;
  readonly dataDir: string;

  constructor(deps: AdminDeps) {
    this.store = deps.store;
    this.secrets = deps.secrets;
    this.clock = deps.clock ?? systemClock;
    this.dataDir = deps.dataDir;
  }

  // ---------------------------------------------------------------- state

  private load(): AdminState {
    return this.store.load();
  }

  private mutate<T>(fn: (s: AdminState) => T): T {
    const state = this.load();
    const result = fn(state);
    this.store.save(state);
    return result;
  }

  private audit(action: string, target?: string, details?: Record<string, string | number | boolean | null>): void {
    appendAudit(this.dataDir, this.clock.now(), action, target, details);
  }

  private certDir(): string {
    const dir = join(this.dataDir, CERT_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  // ---------------------------------------------------------------- admin password

  isAdminPasswordSet(): boolean {
    return this.load().adminPassword !== null;
  }

  /** Sets the admin password at first use; changing it needs the current one. */
  setAdminPassword(newPassword: string, currentPassword?: string): void {
    const hash = hashAdminPassword(newPassword);
    this.mutate((s) => {
      if (s.adminPassword) {
        if (currentPassword === undefined) throw new SmimeError('ADMIN_PASSWORD_WRONG', 'an admin password is already set; give the current one to change it');
        verifyAdminPassword(s.adminPassword, currentPassword);
      }
      s.adminPassword = hash;
    });
    this.audit(currentPassword === undefined ? 'admin-password.set' : 'admin-password.change');
  }

  verifyAdminPassword(password: string): void {
    verifyAdminPassword(this.load().adminPassword, password);
  }

  // ---------------------------------------------------------------- settings

  getSettings(): Settings {
    return this.load().settings;
  }

  updateSettings(patch: Partial<Settings>): Settings {
    if (patch.warnDays) {
      const days = [...new Set(patch.warnDays)].sort((a, b) => b - a);
      if (days.length < 1 || days.length > 3 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) {
        throw new SmimeError('USAGE', 'warning thresholds are one to three whole numbers of days between 1 and 365');
      }
      patch = { ...patch, warnDays: days };
    }
    const out = this.mutate((s) => {
      s.settings = { ...s.settings, ...patch };
      return s.settings;
    });
    this.audit('settings.update', undefined, { warnDays: out.warnDays.join(','), language: out.language });
    return out;
  }

  // ---------------------------------------------------------------- certificates

  /** Opens a p12 and inspects it without saving anything: what the add dialog shows first. */
  previewCertificate(p12: Buffer, password: string, fileName = 'the file'): CertificateInfo {
    const id = openPkcs12(p12, password, fileName);
    return inspectIdentity(id, { now: this.clock.now(), warnDays: this.load().settings.warnDays[0] });
  }

  private checkAddress(id: SigningIdentity, email: string): CertificateInfo {
    const info = inspectIdentity(id, { now: this.clock.now(), warnDays: this.load().settings.warnDays[0] });
    if (!info.emails.some((e) => sameEmail(e, email))) {
      throw new SmimeError(
        'EMAIL_NOT_IN_CERTIFICATE',
        info.emails.length > 0
          ? `${email} is not in this certificate; it is for ${info.emails.join(', ')}`
          : `${email} is not in this certificate; it names no mail address at all`,
      );
    }
    return info;
  }

  private record(id: string, version: number, email: string, ident: SigningIdentity, info: CertificateInfo, addedAt: string): CertRecord {
    const now = this.clock.now().toISOString();
    return {
      id,
      email,
      version,
      fileName: `${id}-v${version}.p12`,
      subject: info.subject,
      commonName: info.commonName,
      issuer: info.issuer,
      issuerCommonName: info.issuerCommonName,
      serial: info.serial,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      fingerprintSha256: info.fingerprintSha256,
      keyType: info.keyType,
      keyBits: info.keyBits,
      certificatePem: toPem(ident.certificate.raw),
      chainPem: ident.chain.map((c) => toPem(c.raw)),
      addedAt,
      updatedAt: now,
    };
  }

  /**
   * Stores secret, file and record in that order and undoes the earlier steps when a later
   * one fails, so a failure leaves nothing behind.
   */
  private async persistCertificate(rec: CertRecord, p12: Buffer, password: string, commit: (s: AdminState) => void): Promise<void> {
    await this.secrets.set(account(rec), password);
    const file = join(this.certDir(), rec.fileName);
    try {
      writeFileAtomic(file, p12, 0o600);
      chmodSync(file, 0o600);
      this.mutate(commit);
    } catch (e) {
      rmSync(file, { force: true });
      await this.secrets.delete(account(rec)).catch(() => false);
      throw e;
    }
  }

  /** Registers a p12 for a From address that the certificate names. */
  async addCertificate(input: { email: string; p12: Buffer; password: string; fileName?: string }): Promise<CertificateView> {
    const email = validateEmail(input.email);
    const ident = openPkcs12(input.p12, input.password, input.fileName ?? 'the file');
    const info = this.checkAddress(ident, email);
    if (this.load().certificates.some((c) => sameEmail(c.email, email))) {
      throw new SmimeError('CERT_EXISTS', `a certificate for ${email} is already registered; renew it instead`);
    }
    const rec = this.record(randomUUID(), 1, email, ident, info, this.clock.now().toISOString());
    await this.persistCertificate(rec, input.p12, input.password, (s) => {
      if (s.certificates.some((c) => sameEmail(c.email, email))) throw new SmimeError('CERT_EXISTS', `a certificate for ${email} is already registered`);
      s.certificates.push(rec);
    });
    this.audit('certificate.add', email, { fingerprintSha256: rec.fingerprintSha256, notAfter: rec.notAfter });
    return this.getCertificate(email);
  }

  /** Replaces the p12 of an address; the old one stays in force until the new one is validated and saved. */
  async renewCertificate(input: { email: string; p12: Buffer; password: string; fileName?: string }): Promise<CertificateView> {
    const email = validateEmail(input.email);
    const old = this.findCert(this.load(), email);
    const ident = openPkcs12(input.p12, input.password, input.fileName ?? 'the file');
    const info = this.checkAddress(ident, email);
    const rec = this.record(old.id, old.version + 1, old.email, ident, info, old.addedAt);
    await this.persistCertificate(rec, input.p12, input.password, (s) => {
      const idx = s.certificates.findIndex((c) => c.id === old.id);
      if (idx < 0) throw new SmimeError('CERT_NOT_FOUND', `no certificate is registered for ${email}`);
      s.certificates[idx] = rec;
    });
    rmSync(join(this.certDir(), old.fileName), { force: true });
    await this.secrets.delete(account(old)).catch(() => false);
    this.audit('certificate.renew', email, { fingerprintSha256: rec.fingerprintSha256, previousFingerprintSha256: old.fingerprintSha256, notAfter: rec.notAfter });
    return this.getCertificate(email);
  }

  /** Deletes a certificate: admin password first, and only once no composition uses it, not even in its last reflection. */
  async removeCertificate(input: { email: string; adminPassword: string }): Promise<void> {
    const state = this.load();
    verifyAdminPassword(state.adminPassword, input.adminPassword);
    const rec = this.findCert(state, input.email);
    const checked = state.compositions.filter((c) => c.certificateIds.includes(rec.id)).map((c) => c.name);
    const reflected = state.compositions
      .filter((c) => !c.certificateIds.includes(rec.id) && c.lastReflection?.snapshot.certificates.some((x) => sameEmail(x.email, rec.email)))
      .map((c) => c.name);
    if (checked.length > 0 || reflected.length > 0) {
      const parts: string[] = [];
      if (checked.length > 0) parts.push(`it is checked in ${checked.map((n) => `"${n}"`).join(', ')}: uncheck it there`);
      if (reflected.length > 0) parts.push(`the mail servers still use it through ${reflected.map((n) => `"${n}"`).join(', ')}: reflect ${reflected.length === 1 ? 'that composition' : 'those compositions'} first`);
      throw new SmimeError('CERT_IN_USE', `the certificate for ${rec.email} is still in use; ${parts.join('; ')}`);
    }
    this.mutate((s) => {
      s.certificates = s.certificates.filter((c) => c.id !== rec.id);
    });
    rmSync(join(this.certDir(), rec.fileName), { force: true });
    await this.secrets.delete(account(rec)).catch(() => false);
    this.audit('certificate.remove', rec.email, { fingerprintSha256: rec.fingerprintSha256 });
  }

  private findCert(state: AdminState, email: string): CertRecord {
    const rec = state.certificates.find((c) => sameEmail(c.email, email));
    if (!rec) throw new SmimeError('CERT_NOT_FOUND', `no certificate is registered for ${email.trim()}`);
    return rec;
  }

  private view(rec: CertRecord, state: AdminState): CertificateView {
    const now = this.clock.now();
    const certificate = new X509Certificate(rec.certificatePem);
    const chain = rec.chainPem.map((p) => new X509Certificate(p));
    const info = inspectIdentity({ certificate, chain, keyType: rec.keyType, keyBits: rec.keyBits }, { now, warnDays: state.settings.warnDays[0] });
    const notAfter = new Date(rec.notAfter);
    const notBefore = new Date(rec.notBefore);
    const daysLeft = daysUntil(notAfter, now);
    let status: CertStatus = 'valid';
    let threshold: number | null = null;
    if (now > notAfter) status = 'expired';
    else if (now < notBefore) status = 'not-yet-valid';
    else {
      state.settings.warnDays.forEach((d, i) => {
        if (daysLeft < d) threshold = i;
      });
      if (threshold !== null) status = 'expiring';
    }
    return {
      id: rec.id,
      email: rec.email,
      commonName: rec.commonName,
      subject: rec.subject,
      issuer: rec.issuer,
      issuerCommonName: rec.issuerCommonName,
      serial: rec.serial,
      notBefore: rec.notBefore,
      notAfter: rec.notAfter,
      fingerprintSha256: rec.fingerprintSha256,
      keyType: rec.keyType,
      keyBits: rec.keyBits,
      chainLength: rec.chainPem.length,
      status,
      daysLeft,
      threshold,
      usedBy: state.compositions.filter((c) => c.certificateIds.includes(rec.id)).map((c) => c.name),
      warnings: info.warnings,
    };
  }

  listCertificates(): CertificateView[] {
    const state = this.load();
    return state.certificates.map((c) => this.view(c, state)).sort((a, b) => a.notAfter.localeCompare(b.notAfter));
  }

  getCertificate(email: string): CertificateView {
    const state = this.load();
    return this.view(this.findCert(state, email), state);
  }

  /** Certificates that are expired or inside the first warning threshold: for start-up and daily notices. */
  certificatesNeedingAttention(): CertificateView[] {
    return this.listCertificates().filter((c) => c.status !== 'valid');
  }

  private async loadIdentity(rec: CertRecord): Promise<{ identity: SigningIdentity; p12: Buffer; password: string }> {
    const password = await this.secrets.get(account(rec));
    if (password === null) {
      throw new SmimeError('SECRET_MISSING', `the keychain holds no password for the certificate of ${rec.email}; renew the certificate to store it again`);
    }
    let p12: Buffer;
    try {
      p12 = readFileSync(join(this.dataDir, CERT_DIR, rec.fileName));
    } catch {
      throw new SmimeError('FILE_UNREADABLE', `the PKCS#12 file of ${rec.email} is missing from ${join(this.dataDir, CERT_DIR)}; renew the certificate`);
    }
    return { identity: openPkcs12(p12, password, `the stored certificate of ${rec.email}`), p12, password };
  }

  // ---------------------------------------------------------------- compositions

  private findComposition(state: AdminState, name: string): Composition {
    const c = state.compositions.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!c) throw new SmimeError('COMPOSITION_NOT_FOUND', `there is no composition named "${name.trim()}"`);
    return c;
  }

  private touch(c: Composition): void {
    c.updatedAt = this.clock.now().toISOString();
  }

  /** Creates a composition with the default exceptions (carrier domains, already-secured mail). */
  createComposition(name: string): CompositionView {
    const n = validateName(name);
    const now = this.clock.now().toISOString();
    this.mutate((s) => {
      if (s.compositions.some((c) => c.name.toLowerCase() === n.toLowerCase())) throw new SmimeError('COMPOSITION_EXISTS', `a composition named "${n}" already exists`);
      const dest = defaultDestinationExceptions(1);
      const headers = defaultHeaderExceptions(dest.length + 1);
      s.compositions.push({
        id: randomUUID(),
        name: n,
        certificateIds: [],
        destinationExceptions: dest,
        headerExceptions: headers,
        intelligentBcc: false,
        nextExceptionId: dest.length + headers.length + 1,
        createdAt: now,
        updatedAt: now,
        lastReflection: null,
      });
    });
    this.audit('composition.create', n);
    return this.getComposition(n);
  }

  renameComposition(oldName: string, newName: string): CompositionView {
    const n = validateName(newName);
    this.mutate((s) => {
      const c = this.findComposition(s, oldName);
      if (s.compositions.some((x) => x !== c && x.name.toLowerCase() === n.toLowerCase())) throw new SmimeError('COMPOSITION_EXISTS', `a composition named "${n}" already exists`);
      c.name = n;
      this.touch(c);
    });
    this.audit('composition.rename', oldName.trim(), { newName: n });
    return this.getComposition(n);
  }

  deleteComposition(name: string): void {
    const removed = this.mutate((s) => {
      const c = this.findComposition(s, name);
      s.compositions = s.compositions.filter((x) => x !== c);
      return c.name;
    });
    this.audit('composition.delete', removed);
  }

  listCompositions(): CompositionView[] {
    const state = this.load();
    return state.compositions.map((c) => this.compositionView(c, state));
  }

  getComposition(name: string): CompositionView {
    const state = this.load();
    return this.compositionView(this.findComposition(state, name), state);
  }

  private compositionView(c: Composition, state: AdminState): CompositionView {
    const certs = state.certificates.map((rec) => {
      const v = this.view(rec, state);
      return { id: rec.id, email: rec.email, enabled: c.certificateIds.includes(rec.id), status: v.status, daysLeft: v.daysLeft };
    });
    return {
      id: c.id,
      name: c.name,
      certificates: certs,
      destinationExceptions: c.destinationExceptions,
      headerExceptions: c.headerExceptions,
      intelligentBcc: c.intelligentBcc,
      pending: this.diff(c, state).length > 0,
      lastReflection: c.lastReflection ? { at: c.lastReflection.at, bundleFile: c.lastReflection.bundleFile, bundleFingerprint: c.lastReflection.bundleFingerprint } : null,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  setCertificateEnabled(name: string, email: string, enabled: boolean): CompositionView {
    const compName = this.mutate((s) => {
      const c = this.findComposition(s, name);
      const rec = this.findCert(s, email);
      const has = c.certificateIds.includes(rec.id);
      if (enabled && !has) c.certificateIds.push(rec.id);
      if (!enabled && has) c.certificateIds = c.certificateIds.filter((id) => id !== rec.id);
      this.touch(c);
      return c.name;
    });
    this.audit(enabled ? 'composition.enable-cert' : 'composition.disable-cert', compName, { email: normalizeEmail(email) });
    return this.getComposition(compName);
  }

  setIntelligentBcc(name: string, on: boolean): CompositionView {
    const compName = this.mutate((s) => {
      const c = this.findComposition(s, name);
      c.intelligentBcc = on;
      this.touch(c);
      return c.name;
    });
    this.audit('composition.bcc', compName, { on });
    return this.getComposition(compName);
  }

  // ---------------------------------------------------------------- exceptions

  addDestinationException(name: string, pattern: string, note?: string): DestinationException {
    compilePattern(pattern);
    const ex = this.mutate((s) => {
      const c = this.findComposition(s, name);
      const e: DestinationException = { id: c.nextExceptionId++, pattern, enabled: true, isDefault: false, ...(note ? { note } : {}) };
      c.destinationExceptions.push(e);
      this.touch(c);
      return e;
    });
    this.audit('exception.add-destination', name.trim(), { id: ex.id, pattern });
    return ex;
  }

  addHeaderException(name: string, header: string, pattern: string, note?: string): HeaderException {
    const h = validateHeaderName(header);
    compilePattern(pattern);
    const ex = this.mutate((s) => {
      const c = this.findComposition(s, name);
      const e: HeaderException = { id: c.nextExceptionId++, header: h, pattern, enabled: true, isDefault: false, ...(note ? { note } : {}) };
      c.headerExceptions.push(e);
      this.touch(c);
      return e;
    });
    this.audit('exception.add-header', name.trim(), { id: ex.id, header: h, pattern });
    return ex;
  }

  /** Changes the pattern (and for header exceptions the name) of an exception. */
  updateException(name: string, id: number, change: { pattern?: string; header?: string }): void {
    if (change.pattern !== undefined) compilePattern(change.pattern);
    const header = change.header !== undefined ? validateHeaderName(change.header) : undefined;
    this.mutate((s) => {
      const c = this.findComposition(s, name);
      const d = c.destinationExceptions.find((e) => e.id === id);
      const h = c.headerExceptions.find((e) => e.id === id);
      if (!d && !h) throw new SmimeError('EXCEPTION_NOT_FOUND', `composition "${c.name}" has no exception #${id}`);
      if (d && change.pattern !== undefined) d.pattern = change.pattern;
      if (h) {
        if (change.pattern !== undefined) h.pattern = change.pattern;
        if (header !== undefined) h.header = header;
      }
      this.touch(c);
    });
    this.audit('exception.update', name.trim(), { id, ...(change.pattern !== undefined ? { pattern: change.pattern } : {}), ...(header ? { header } : {}) });
  }

  setExceptionEnabled(name: string, id: number, enabled: boolean): void {
    this.mutate((s) => {
      const c = this.findComposition(s, name);
      const e = c.destinationExceptions.find((x) => x.id === id) ?? c.headerExceptions.find((x) => x.id === id);
      if (!e) throw new SmimeError('EXCEPTION_NOT_FOUND', `composition "${c.name}" has no exception #${id}`);
      e.enabled = enabled;
      this.touch(c);
    });
    this.audit(enabled ? 'exception.enable' : 'exception.disable', name.trim(), { id });
  }

  /** Removes an exception. Defaults cannot be removed, only disabled, so they can always be turned back on. */
  removeException(name: string, id: number): void {
    this.mutate((s) => {
      const c = this.findComposition(s, name);
      const e = c.destinationExceptions.find((x) => x.id === id) ?? c.headerExceptions.find((x) => x.id === id);
      if (!e) throw new SmimeError('EXCEPTION_NOT_FOUND', `composition "${c.name}" has no exception #${id}`);
      if (e.isDefault) throw new SmimeError('USAGE', `exception #${id} is a default; disable it instead of removing it`);
      c.destinationExceptions = c.destinationExceptions.filter((x) => x.id !== id);
      c.headerExceptions = c.headerExceptions.filter((x) => x.id !== id);
      this.touch(c);
    });
    this.audit('exception.remove', name.trim(), { id });
  }

  /** The live tester: which enabled destination exception (if any) each address hits. */
  testDestinations(name: string, addresses: string[], candidate?: string): { address: string; match: { id: number; pattern: string } | null }[] {
    const c = this.findComposition(this.load(), name);
    const rules: DestinationException[] = [...c.destinationExceptions];
    if (candidate !== undefined) {
      compilePattern(candidate);
      rules.unshift({ id: 0, pattern: candidate, enabled: true, isDefault: false });
    }
    const set = new PatternSet(rules);
    return addresses.map((address) => {
      const m = set.firstMatch(address.trim());
      return { address, match: m ? { id: m.id, pattern: m.pattern } : null };
    });
  }

  // ---------------------------------------------------------------- pending and reflect

  private snapshot(c: Composition, state: AdminState): CompositionSnapshot {
    const certs = c.certificateIds
      .map((id) => state.certificates.find((r) => r.id === id))
      .filter((r): r is CertRecord => r !== undefined)
      .map((r) => ({ email: r.email, fingerprintSha256: r.fingerprintSha256 }))
      .sort((a, b) => a.email.localeCompare(b.email));
    return {
      certificates: certs,
      destinationExceptions: c.destinationExceptions.filter((e) => e.enabled).map((e) => ({ pattern: e.pattern })),
      headerExceptions: c.headerExceptions.filter((e) => e.enabled).map((e) => ({ header: e.header, pattern: e.pattern })),
      intelligentBcc: c.intelligentBcc,
    };
  }

  private diff(c: Composition, state: AdminState): PendingChange[] {
    const cur = this.snapshot(c, state);
    const prev = c.lastReflection?.snapshot;
    if (!prev) return [{ kind: 'never-reflected', subject: c.name }];
    const out: PendingChange[] = [];
    for (const x of cur.certificates) {
      const p = prev.certificates.find((y) => sameEmail(y.email, x.email));
      if (!p) out.push({ kind: 'certificate-added', subject: x.email });
      else if (p.fingerprintSha256 !== x.fingerprintSha256) out.push({ kind: 'certificate-renewed', subject: x.email });
    }
    for (const p of prev.certificates) if (!cur.certificates.some((x) => sameEmail(x.email, p.email))) out.push({ kind: 'certificate-removed', subject: p.email });
    const key = (h: { header?: string; pattern: string }) => `${h.header ? h.header.toLowerCase() + ': ' : ''}${h.pattern}`;
    const setDiff = <T extends { pattern: string; header?: string }>(a: T[], b: T[], added: PendingKind, removed: PendingKind) => {
      const ak = new Set(a.map(key));
      const bk = new Set(b.map(key));
      for (const k of ak) if (!bk.has(k)) out.push({ kind: added, subject: k });
      for (const k of bk) if (!ak.has(k)) out.push({ kind: removed, subject: k });
    };
    setDiff(cur.destinationExceptions, prev.destinationExceptions, 'destination-added', 'destination-removed');
    setDiff(cur.headerExceptions, prev.headerExceptions, 'header-added', 'header-removed');
    if (cur.intelligentBcc !== prev.intelligentBcc) out.push({ kind: 'bcc-changed', subject: `${prev.intelligentBcc ? 'on' : 'off'} → ${cur.intelligentBcc ? 'on' : 'off'}` });
    return out;
  }

  pending(name?: string): PendingView[] {
    const state = this.load();
    const comps = name ? [this.findComposition(state, name)] : state.compositions;
    return comps.map((c) => ({ composition: c.name, lastReflectedAt: c.lastReflection?.at ?? null, changes: this.diff(c, state) }));
  }

  /** Writes the composition's config bundle and records it as reflected. Nothing reaches a server before this. */
  async reflect(name: string, passphrase: string, outPath: string, onProgress?: (p: ReflectProgress) => void): Promise<ReflectResult> {
    checkPassphrase(passphrase);
    const state = this.load();
    const c = this.findComposition(state, name);
    const now = this.clock.now();
    onProgress?.('reading-keychain');
    const certs: BundleSecretCertificate[] = [];
    const warnings: string[] = [];
    for (const id of c.certificateIds) {
      const rec = state.certificates.find((r) => r.id === id);
      if (!rec) continue;
      const { p12, password } = await this.loadIdentity(rec);
      const v = this.view(rec, state);
      if (v.status === 'expired') warnings.push(`the certificate for ${rec.email} is expired: its mail will be rejected with 451`);
      else if (v.status === 'expiring') warnings.push(`the certificate for ${rec.email} expires in ${v.daysLeft} days`);
      certs.push({ email: rec.email, fingerprintSha256: rec.fingerprintSha256, subject: rec.subject, issuer: rec.issuer, notBefore: rec.notBefore, notAfter: rec.notAfter, p12, password });
    }
    onProgress?.('encrypting');
    const bytes = writeBundle(
      passphrase,
      { name: c.name, intelligentBcc: c.intelligentBcc, destinationExceptions: c.destinationExceptions, headerExceptions: c.headerExceptions },
      certs,
      { createdAt: now, createdBy: osUser() },
    );
    onProgress?.('writing');
    writeFileAtomic(outPath, bytes, 0o600);
    const fingerprint = createHash('sha256').update(bytes).digest('hex');
    const snapshot = this.snapshot(c, state);
    this.mutate((s) => {
      const comp = this.findComposition(s, c.name);
      comp.lastReflection = { at: now.toISOString(), bundleFile: outPath, bundleFingerprint: fingerprint, snapshot };
    });
    this.audit('reflect', c.name, { bundleFingerprint: fingerprint, certificates: certs.length });
    onProgress?.('done');
    return { composition: c.name, file: outPath, size: bytes.length, fingerprintSha256: fingerprint, certificates: certs.length, at: now.toISOString(), warnings };
  }

  /** Imports a bundle written on another admin machine: certificates into the registry and keychain, the composition as reflected. */
  async importBundle(bytes: Buffer, passphrase: string, fileName = 'the bundle'): Promise<ImportResult> {
    const opened = openBundle(bytes, passphrase, fileName);
    // validate every certificate before changing anything
    const idents = opened.certificates.map((c) => {
      const ident = openPkcs12(c.p12, c.password, `the certificate for ${c.email} in ${fileName}`);
      this.checkAddress(ident, c.email);
      return { c, ident };
    });
    const result: ImportResult = { composition: opened.payload.composition.name, created: false, certificatesAdded: [], certificatesUpdated: [], certificatesUnchanged: [] };
    for (const { c } of idents) {
      const existing = this.load().certificates.find((r) => sameEmail(r.email, c.email));
      if (!existing) {
        await this.addCertificate({ email: c.email, p12: c.p12, password: c.password });
        result.certificatesAdded.push(c.email);
      } else if (existing.fingerprintSha256 !== c.fingerprintSha256) {
        await this.renewCertificate({ email: c.email, p12: c.p12, password: c.password });
        result.certificatesUpdated.push(c.email);
      } else result.certificatesUnchanged.push(c.email);
    }
    const comp = opened.payload.composition;
    const fingerprint = createHash('sha256').update(bytes).digest('hex');
    this.mutate((s) => {
      let c = s.compositions.find((x) => x.name.toLowerCase() === comp.name.toLowerCase());
      const now = this.clock.now().toISOString();
      if (!c) {
        result.created = true;
        c = { id: randomUUID(), name: validateName(comp.name), certificateIds: [], destinationExceptions: [], headerExceptions: [], intelligentBcc: false, nextExceptionId: 1, createdAt: now, updatedAt: now, lastReflection: null };
        s.compositions.push(c);
      }
      c.destinationExceptions = comp.destinationExceptions;
      c.headerExceptions = comp.headerExceptions;
      c.intelligentBcc = comp.intelligentBcc;
      c.nextExceptionId = Math.max(0, ...comp.destinationExceptions.map((e) => e.id), ...comp.headerExceptions.map((e) => e.id)) + 1;
      c.certificateIds = opened.certificates.map((bc) => s.certificates.find((r) => sameEmail(r.email, bc.email))!.id);
      c.updatedAt = now;
      c.lastReflection = { at: opened.payload.createdAt, bundleFile: fileName, bundleFingerprint: fingerprint, snapshot: this.snapshot(c, s) };
    });
    this.audit('bundle.import', comp.name, { bundleFingerprint: fingerprint, certificates: opened.certificates.length });
    return result;
  }

  // ---------------------------------------------------------------- test messages

  /**
   * Decides and signs a test message with the composition's current (possibly unreflected)
   * settings, and verifies every signed result: the preview pane's content.
   */
  async testSend(name: string, message: Buffer, envelope: Envelope, at: Date): Promise<TestSendResult> {
    const state = this.load();
    const c = this.findComposition(state, name);
    const records = c.certificateIds.map((id) => state.certificates.find((r) => r.id === id)).filter((r): r is CertRecord => r !== undefined);
    const policy = compilePolicy({
      name: c.name,
      intelligentBcc: c.intelligentBcc,
      destinationExceptions: c.destinationExceptions,
      headerExceptions: c.headerExceptions,
      certificates: records.map((r) => ({ email: r.email, fingerprintSha256: r.fingerprintSha256, notBefore: new Date(r.notBefore), notAfter: new Date(r.notAfter) })),
    });
    const parsed = parseMessage(message, 'the test message');
    const decisions = decide(policy, envelope, parsed.headers, at);
    const deliveries: TestSendResult['deliveries'] = [];
    for (const d of groupDeliveries(decisions)) {
      if (d.action === 'unsigned') {
        deliveries.push({ ...d, message: message.toString('utf8'), warnings: [] });
        continue;
      }
      const rec = records.find((r) => r.fingerprintSha256 === d.certificate!.fingerprintSha256)!;
      const { identity } = await this.loadIdentity(rec);
      const signed = signMessage(message, prepareSigner(identity), { now: at });
      const anchors = identity.chain.filter((x) => x.checkIssued(x));
      const { content: _c, outerHeaders: _h, ...verification } = verifyMessage(signed, anchors.length > 0 ? { ca: anchors, now: at } : { now: at });
      const warnings = inspectIdentity(identity, { now: at, warnDays: state.settings.warnDays[0] }).warnings.filter((w) => ['expired', 'not-yet-valid', 'expires-soon'].includes(w.code));
      deliveries.push({ ...d, message: signed.toString('latin1'), verification, warnings });
    }
    return { decisions, deliveries };
  }
}
