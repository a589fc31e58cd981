/**
 * Reflect and import: the only ways a composition leaves or enters this machine. Reflecting
 * writes an authenticated, encrypted bundle (docs/bundle-format.md) and records what the
 * servers now have; importing brings another admin machine's bundle in, all or nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ImportResult, PendingView, ReflectProgress, ReflectResult, ReflectWarning } from '../../contract';
import { sameEmail } from '../engine/certificate';
import { SmimeError } from '../errors';
import { writeFileAtomic } from '../files';
import { checkPassphrase, openBundle, writeBundle, type BundleSecretCertificate } from '../relay/bundle';
import { compilePattern, validateHeaderName } from '../relay/patterns';
import { osUser } from './audit';
import { loadSecret, newVersion, openForAddress, switchVersions, type NewVersion } from './certificates';
import { findComposition, validateName } from './compositions';
import type { DomainContext } from './context';
import { pendingChanges, snapshotOf } from './snapshot';
import type { AdminState, CertRecord, Composition } from './state';
import { statusAt } from './status';

export function pending(ctx: DomainContext, name?: string): PendingView[] {
  const state = ctx.load();
  const comps = name ? [findComposition(state, name)] : state.compositions;
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  return comps.map((c) => ({
    composition: c.name,
    lastReflectedAt: c.lastReflection?.at ?? null,
    changes: pendingChanges(c, state, byId),
  }));
}

function reflectWarnings(records: CertRecord[], state: AdminState, now: Date): ReflectWarning[] {
  const out: ReflectWarning[] = [];
  for (const rec of records) {
    const st = statusAt(rec, now, state.settings.warnDays);
    if (st.status === 'expired')
      out.push({ code: 'certificate-expired', params: { email: rec.email, date: rec.notAfter } });
    else if (st.status === 'expiring')
      out.push({ code: 'certificate-expiring', params: { email: rec.email, days: st.daysLeft } });
  }
  return out;
}

/** Writes the composition's config bundle and records it as reflected. Nothing reaches a server before this. */
async function reflectNow(
  ctx: DomainContext,
  name: string,
  passphrase: string,
  outPath: string,
  onProgress?: (p: ReflectProgress) => void,
): Promise<ReflectResult> {
  checkPassphrase(passphrase);
  checkOutsideData(ctx, outPath);
  const state = ctx.load();
  const c = findComposition(state, name);
  const now = ctx.now();
  onProgress?.('reading-keychain');
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  const records = c.certificateIds.map((id) => byId.get(id)).filter((r): r is CertRecord => r !== undefined);
  const certs: BundleSecretCertificate[] = [];
  for (const rec of records) {
    const { p12, password } = await loadSecret(ctx, rec);
    const { email, fingerprintSha256, subject, issuer, notBefore, notAfter } = rec;
    certs.push({ email, fingerprintSha256, subject, issuer, notBefore, notAfter, p12, password });
  }
  onProgress?.('encrypting');
  const serial = (c.lastReflection?.serial ?? 0) + 1;
  const { id, name: compName, intelligentBcc, destinationExceptions, headerExceptions } = c;
  const composition = { id, name: compName, intelligentBcc, destinationExceptions, headerExceptions };
  const bytes = writeBundle(passphrase, composition, certs, { createdAt: now, createdBy: osUser(), serial });
  onProgress?.('writing');
  writeFileAtomic(outPath, bytes, 0o600);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const snapshot = snapshotOf(c, state);
  ctx.mutate((s) => {
    const comp = s.compositions.find((x) => x.id === c.id);
    if (!comp)
      throw new SmimeError('COMPOSITION_NOT_FOUND', `composition "${c.name}" was deleted while it was being reflected`);
    comp.lastReflection = {
      at: now.toISOString(),
      serial,
      bundleFile: outPath,
      bundleFingerprint: fingerprint,
      snapshot,
    };
  });
  ctx.audit('reflect', c.name, { bundleFingerprint: fingerprint, certificates: certs.length, serial });
  onProgress?.('done');
  return {
    composition: c.name,
    file: outPath,
    size: bytes.length,
    fingerprintSha256: fingerprint,
    certificates: certs.length,
    at: now.toISOString(),
    warnings: reflectWarnings(records, state, now),
  };
}

/** What smime-admin keeps in its data folder; a bundle may go anywhere but over these. */
const OWN_FILES = /^(config\.json(\.corrupt-.*)?|journal\.json|audit\.log|\.lock|certs)$/;

function checkOutsideData(ctx: DomainContext, outPath: string): void {
  if (outPath === '-') return;
  const rel = relative(resolve(ctx.dataDir), resolve(outPath));
  if (rel.startsWith('..') || isAbsolute(rel)) return;
  const first = rel.split(sep)[0] ?? '';
  if (rel === '' || OWN_FILES.test(first)) {
    throw new SmimeError(
      'OUTPUT_UNWRITABLE',
      `cannot write ${outPath}: it is one of the files smime-admin keeps in its data folder ${ctx.dataDir}`,
    );
  }
}

export interface ImportOptions {
  /** accept a bundle older than the composition's last reflection (a rollback) */
  allowOlder?: boolean;
  /** replace a composition that has changes not yet reflected */
  discardPending?: boolean;
}

/**
 * Imports a bundle written on another admin machine: certificates into the registry and
 * keychain, the composition as reflected. Everything is validated first (authentication,
 * schema, every p12 and its address, every pattern); then new secrets and files are written,
 * the records switch in one save, and replaced secrets and files are removed last.
 */
async function importBundleNow(
  ctx: DomainContext,
  bytes: Buffer,
  passphrase: string,
  fileName = 'the bundle',
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const opened = openBundle(bytes, passphrase, fileName);
  const comp = opened.payload.composition;
  for (const e of comp.destinationExceptions) compilePattern(e.pattern);
  for (const e of comp.headerExceptions) {
    validateHeaderName(e.header);
    compilePattern(e.pattern);
  }
  const compName = validateName(comp.name);
  const checked = opened.certificates.map((c) => ({
    c,
    ...openForAddress(ctx, c, `the certificate for ${c.email} in ${fileName}`),
  }));
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const state = ctx.load();
  const existing =
    state.compositions.find((x) => x.id === comp.id) ??
    state.compositions.find((x) => x.name.toLowerCase() === compName.toLowerCase());
  if (existing) checkReplaceable(existing, state, comp.id, opened.payload.serial, fileName, opts);

  const result: ImportResult = {
    composition: compName,
    created: !existing,
    certificatesAdded: [],
    certificatesUpdated: [],
    certificatesUnchanged: [],
  };
  const now = ctx.now().toISOString();
  const staged: (NewVersion & { old: CertRecord | null })[] = [];
  for (const { c, info } of checked) {
    const old = state.certificates.find((r) => sameEmail(r.email, c.email)) ?? null;
    if (old && old.fingerprintSha256 === c.fingerprintSha256) {
      result.certificatesUnchanged.push(c.email);
      continue;
    }
    (old ? result.certificatesUpdated : result.certificatesAdded).push(c.email);
    const idv = old
      ? { id: old.id, version: old.version + 1, addedAt: old.addedAt }
      : { id: randomUUID(), version: 1, addedAt: now };
    const ident = checked.find((x) => x.c === c)!.ident;
    const v = newVersion({ ...idv, email: old?.email ?? c.email }, ident, info, ctx.now(), c.p12, c.password);
    staged.push({ ...v, old });
  }

  const created = staged.map(({ old: _old, ...v }) => v);
  const retired = staged.flatMap(({ old }) => (old ? [old] : []));
  await switchVersions(ctx, 'import', created, retired, (s) => {
    for (const { rec, old } of staged) {
      if (old) s.certificates = s.certificates.map((r) => (r.id === old.id ? rec : r));
      else s.certificates.push(rec);
    }
    let c = s.compositions.find((x) => x.id === existing?.id);
    if (!c) {
      c = {
        id: comp.id,
        name: compName,
        certificateIds: [],
        destinationExceptions: [],
        headerExceptions: [],
        intelligentBcc: false,
        nextExceptionId: 1,
        createdAt: now,
        updatedAt: now,
        lastReflection: null,
      };
      s.compositions.push(c);
    }
    c.name = compName;
    c.destinationExceptions = comp.destinationExceptions;
    c.headerExceptions = comp.headerExceptions;
    c.intelligentBcc = comp.intelligentBcc;
    c.nextExceptionId =
      Math.max(0, ...comp.destinationExceptions.map((e) => e.id), ...comp.headerExceptions.map((e) => e.id)) + 1;
    c.certificateIds = opened.certificates.map((bc) => s.certificates.find((r) => sameEmail(r.email, bc.email))!.id);
    c.updatedAt = now;
    c.lastReflection = {
      at: opened.payload.createdAt,
      serial: opened.payload.serial,
      bundleFile: fileName,
      bundleFingerprint: fingerprint,
      snapshot: snapshotOf(c, s),
    };
  });
  ctx.audit('bundle.import', compName, {
    bundleFingerprint: fingerprint,
    certificates: opened.certificates.length,
    serial: opened.payload.serial,
  });
  return result;
}

function checkReplaceable(
  existing: Composition,
  state: AdminState,
  bundleCompId: string,
  serial: number,
  fileName: string,
  opts: ImportOptions,
): void {
  if (existing.id !== bundleCompId) {
    throw new SmimeError(
      'COMPOSITION_EXISTS',
      `a different composition named "${existing.name}" already exists here (${fileName} is for another one); rename yours first`,
    );
  }
  const last = existing.lastReflection;
  if (last?.serial !== undefined && serial < last.serial && !opts.allowOlder) {
    throw new SmimeError(
      'BUNDLE_INVALID',
      `${fileName} is older than what "${existing.name}" last reflected (reflection ${serial} < ${last.serial}); importing it would roll the composition back`,
    );
  }
  const changes = pendingChanges(existing, state);
  if (changes.length > 0 && changes[0]!.kind !== 'never-reflected' && !opts.discardPending) {
    throw new SmimeError(
      'USAGE',
      `"${existing.name}" has ${changes.length} change${changes.length === 1 ? '' : 's'} not yet reflected that importing would discard; reflect them first or import with --discard-pending`,
    );
  }
}

/** Writes the composition's config bundle and records it as reflected, as the folder's only writer. */
export const reflect = (
  ctx: DomainContext,
  name: string,
  passphrase: string,
  outPath: string,
  onProgress?: (p: ReflectProgress) => void,
): Promise<ReflectResult> => ctx.exclusive(() => reflectNow(ctx, name, passphrase, outPath, onProgress));

/** Imports a bundle, all or nothing, as the folder's only writer. */
export const importBundle = (
  ctx: DomainContext,
  bytes: Buffer,
  passphrase: string,
  fileName = 'the bundle',
  opts: ImportOptions = {},
): Promise<ImportResult> => ctx.exclusive(() => importBundleNow(ctx, bytes, passphrase, fileName, opts));
