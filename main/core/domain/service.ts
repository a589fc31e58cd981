/**
 * The admin domain's facade: one object the desktop app, the CLI and the tests hold. Each
 * method is one call into the module of its concern (settings, certificates, compositions,
 * exceptions, reflection, test messages); the facade adds nothing of its own.
 */
import type * as C from '../../contract';
import type { Envelope } from '../relay/policy';
import { existsSync } from 'node:fs';
import { readAudit, verifyAudit, type AuditFilter } from './audit';
import { join } from 'node:path';
import * as certificates from './certificates';
import { secretAccount } from './certificates';
import { JOURNAL_FILE, recover, type RecoveryReport } from './journal';
import * as compositions from './compositions';
import { DomainContext, type AdminDeps } from './context';
import * as exceptions from './exceptions';
import * as imports from './import';
import * as reflection from './reflection';
import { readHistory } from './history';
import { pollServers } from './servers';
import * as settings from './settings';
import { testSend, type TestSendOutcome } from './test-send';

export { SECRET_SERVICE, type AdminDeps } from './context';
export type { ImportOptions } from './import';
export type { ReflectOptions } from './reflection';
export type { TestDelivery, TestSendOutcome } from './test-send';

export class AdminService {
  private readonly ctx: DomainContext;

  private recovered = false;

  constructor(deps: AdminDeps) {
    this.ctx = new DomainContext(deps);
    this.ctx.beforeSave = (s) => {
      for (const rec of s.certificates) rec.warnings ??= certificates.staticWarnings(rec);
    };
    this.ctx.onAcquire = async () => {
      if (this.recovered && !existsSync(join(this.ctx.dataDir, JOURNAL_FILE))) return;
      this.recovered = true;
      this.lastRecovery = await recover(this.ctx, secretAccount);
    };
  }

  /** What the recovery pass found the last time it ran (a crash's half-done operations, orphan files). */
  lastRecovery: RecoveryReport | null = null;

  /** Runs the recovery pass now (the app does at start; every writing operation does before its first write). */
  recover = (): Promise<RecoveryReport> =>
    this.ctx.exclusive(async () => this.lastRecovery ?? { finished: [], rolledBack: [], orphanFiles: [], pending: [] });

  get dataDir(): string {
    return this.ctx.dataDir;
  }

  // settings and the admin password
  isAdminPasswordSet = (): boolean => settings.isAdminPasswordSet(this.ctx);
  setAdminPassword = (next: string, current?: string): void => settings.setAdminPassword(this.ctx, next, current);
  verifyAdminPassword = (password: string): void => settings.checkAdminPassword(this.ctx, password);
  getSettings = (): C.Settings => settings.getSettings(this.ctx);
  updateSettings = (patch: Partial<C.Settings>): C.Settings => settings.updateSettings(this.ctx, patch);

  // certificates
  previewCertificate = (p12: Buffer, password: string, fileName?: string): C.CertificateInfo =>
    certificates.previewCertificate(this.ctx, p12, password, fileName);
  addCertificate = (input: certificates.CertificateInput): Promise<C.CertificateView> =>
    certificates.addCertificate(this.ctx, input);
  renewCertificate = (input: certificates.CertificateInput): Promise<C.CertificateView> =>
    certificates.renewCertificate(this.ctx, input);
  removeCertificate = (input: { email: string; adminPassword: string }): Promise<void> =>
    certificates.removeCertificate(this.ctx, input);
  listCertificates = (): C.CertificateView[] => certificates.listCertificates(this.ctx);
  getCertificate = (email: string): C.CertificateView => certificates.getCertificate(this.ctx, email);
  certificateDetail = (email: string): C.CertificateDetail => certificates.certificateDetail(this.ctx, email);
  certificatesNeedingAttention = (): C.CertificateView[] => certificates.certificatesNeedingAttention(this.ctx);

  // compositions
  createComposition = (name: string): C.CompositionView => compositions.createComposition(this.ctx, name);
  renameComposition = (oldName: string, newName: string): C.CompositionView =>
    compositions.renameComposition(this.ctx, oldName, newName);
  deleteComposition = (name: string): void => compositions.deleteComposition(this.ctx, name);
  listCompositions = (): C.CompositionView[] => compositions.listCompositions(this.ctx);
  getComposition = (name: string): C.CompositionView => compositions.getComposition(this.ctx, name);
  setCertificateEnabled = (name: string, email: string, on: boolean): C.CompositionView =>
    compositions.setCertificateEnabled(this.ctx, name, email, on);
  setIntelligentBcc = (name: string, on: boolean): C.CompositionView =>
    compositions.setIntelligentBcc(this.ctx, name, on);

  // exceptions
  addDestinationException = (name: string, pattern: string, note?: string): C.DestinationException =>
    exceptions.addDestinationException(this.ctx, name, pattern, note);
  addHeaderException = (name: string, header: string, pattern: string, note?: string): C.HeaderException =>
    exceptions.addHeaderException(this.ctx, name, header, pattern, note);
  updateException = (name: string, id: number, change: { pattern?: string; header?: string; note?: string }): void =>
    exceptions.updateException(this.ctx, name, id, change);
  setExceptionEnabled = (name: string, id: number, on: boolean): void =>
    exceptions.setExceptionEnabled(this.ctx, name, id, on);
  removeException = (name: string, id: number): void => exceptions.removeException(this.ctx, name, id);
  restoreDefaultExceptions = (name: string): C.CompositionView => exceptions.restoreDefaultExceptions(this.ctx, name);
  testDestinations = (name: string, addresses: string[], candidate?: string): C.TesterMatch[] =>
    exceptions.testDestinations(this.ctx, name, addresses, candidate);

  // pending changes, review, reflect, history and import
  pending = (name?: string): C.PendingView[] => reflection.pending(this.ctx, name);
  /** The review of reflecting `name` now, or of re-exporting its earlier reflection `reexportOf`. */
  reviewReflection = (name: string, reexportOf?: number): C.ReflectReview =>
    reflection.review(this.ctx, name, reexportOf);
  reflect = (
    name: string,
    passphrase: string,
    outPath: string | null,
    onProgress?: (p: C.ReflectProgress) => void,
    opts?: reflection.ReflectOptions,
  ): Promise<C.ReflectResult> => reflection.reflect(this.ctx, name, passphrase, outPath, onProgress, opts);
  reflectAll = (passphrase: string, outDir: string | null, opts?: Pick<reflection.ReflectOptions, 'confirm'>) =>
    reflection.reflectAll(this.ctx, passphrase, outDir, opts);
  history = (name: string): C.HistoryEntry[] => reflection.history(this.ctx, name);
  previewImport = (bytes: Buffer, passphrase: string, fileName?: string): C.ImportPreview =>
    imports.previewImport(this.ctx, bytes, passphrase, fileName);
  importBundle = (
    bytes: Buffer,
    passphrase: string,
    fileName?: string,
    opts?: imports.ImportOptions,
  ): Promise<C.ImportResult> => imports.importBundle(this.ctx, bytes, passphrase, fileName, opts);

  // where reflections go, and whether they are in effect
  setPublishDir = (name: string, dir: string | null): C.CompositionView =>
    compositions.setPublishDir(this.ctx, name, dir);
  setServers = (name: string, urls: string[]): C.CompositionView => compositions.setServers(this.ctx, name, urls);
  /** Asks each relay of the composition (or of every composition) which reflection it runs. */
  serversStatus = async (name?: string): Promise<C.CompositionServers[]> => {
    const state = this.ctx.load();
    const comps = name
      ? [compositions.findComposition(state, name)]
      : state.compositions.filter((c) => (c.servers ?? []).length > 0);
    return Promise.all(
      comps.map((c) =>
        pollServers(
          {
            id: c.id,
            name: c.name,
            servers: c.servers ?? [],
            latestSerial: c.lastReflection?.serial ?? null,
            latestFingerprint: c.lastReflection?.bundleFingerprint ?? null,
          },
          readHistory(this.ctx, c.id),
        ),
      ),
    );
  };

  // the audit log
  auditLog = (filter: AuditFilter = {}): C.AuditEntryView[] =>
    readAudit(this.ctx.dataDir, filter).map(({ prev: _p, hash: _h, ...e }) => e);
  auditVerify = (): C.AuditCheckView => verifyAudit(this.ctx.dataDir);

  // test messages
  testSend = (name: string, message: Buffer, envelope: Envelope, at: Date): Promise<TestSendOutcome> =>
    testSend(this.ctx, name, message, envelope, at);
}
