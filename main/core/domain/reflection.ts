/**
 * Reflect: the only way a composition reaches the mail servers. A reflection is reviewed first
 * (what it sends, what must be confirmed), written as an authenticated, encrypted bundle
 * (docs/bundle-format.md) under a name that is unique and safe everywhere, never over another
 * file, published atomically into the folder the relays watch, and recorded in the history.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type {
  HistoryEntry,
  PendingView,
  ReflectProgress,
  ReflectResult,
  ReflectReview,
  ReflectWarning,
} from '../../contract';
import { reflectWarningText } from '../../contract/messages';
import { SmimeError } from '../errors';
import { writeFileAtomic } from '../files';
import { checkPassphrase, writeBundle, type BundleSecretCertificate } from '../relay/bundle';
import { osUser } from './audit';
import { loadSecret } from './certificates';
import { findComposition, touch } from './compositions';
import type { DomainContext } from './context';
import { appendHistory, historyView, readHistory, type StoredHistoryEntry } from './history';
import { bundleFileName, confirmationKey, nextSerial, reviewReflection } from './review';
import { pendingChanges, snapshotOf } from './snapshot';
import type { CertRecord, Composition } from './state';

export function pending(ctx: DomainContext, name?: string): PendingView[] {
  const state = ctx.load();
  const comps = name ? [findComposition(state, name)] : state.compositions;
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  return comps.map((c) => ({
    id: c.id,
    composition: c.name,
    lastReflectedAt: c.lastReflection?.at ?? null,
    changes: pendingChanges(c, state, byId),
  }));
}

/** What smime-admin keeps in its data folder; a bundle may go anywhere but over these. */
const OWN_FILES = /^(config\.json(\.corrupt-.*)?|journal\.json|audit\.(log|head)|\.lock|certs|history)$/;

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

/** The first few findings in words, and how many more: one readable line however many there are. */
export function summarise(list: ReflectWarning[]): string {
  const words = list.slice(0, 3).map((w) => reflectWarningText(w));
  return words.join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
}

export interface ReflectOptions {
  /** what the admin confirmed: 'all', or the keys of the review's confirmations */
  confirm?: 'all' | string[];
  /** write over an existing file at the given path (never done otherwise) */
  overwrite?: boolean;
  /** re-export: send the settings of this earlier reflection again, as a new reflection */
  reexportOf?: number;
}

/** A path to a folder means: a file with the reflection's unique name in it. */
function target(outPath: string | null, fileName: string): string | null {
  if (outPath === null || outPath === '-') return outPath;
  return existsSync(outPath) && statSync(outPath).isDirectory() ? join(outPath, fileName) : outPath;
}

/** What a reflection of `current` sends: its settings now, or those of an earlier reflection when re-exporting one. */
function settingsToSend(ctx: DomainContext, current: Composition, reexportOf?: number): Composition {
  if (reexportOf === undefined) return current;
  const old = readHistory(ctx, current.id).find((h) => h.serial === reexportOf);
  if (!old) throw new SmimeError('USAGE', `"${current.name}" has no reflection number ${reexportOf} in its history`);
  return { ...current, ...old.settings, name: current.name };
}

/**
 * The review of reflecting `name` now, or of re-exporting its reflection `reexportOf`: what that
 * bundle would send, and the confirmations `reflect` will ask for with the same options.
 */
export function review(ctx: DomainContext, name: string, reexportOf?: number): ReflectReview {
  const current = findComposition(ctx.load(), name);
  return reviewReflection(ctx, name, settingsToSend(ctx, current, reexportOf));
}

async function reflectNow(
  ctx: DomainContext,
  name: string,
  passphrase: string,
  outPath: string | null,
  onProgress: ((p: ReflectProgress) => void) | undefined,
  opts: ReflectOptions,
): Promise<ReflectResult> {
  checkPassphrase(passphrase);
  const state = ctx.load();
  const current = findComposition(state, name);
  const c = settingsToSend(ctx, current, opts.reexportOf);
  const review = reviewReflection(ctx, name, c);
  const unconfirmed = review.confirmations.filter(
    (w) => opts.confirm !== 'all' && !(opts.confirm ?? []).includes(confirmationKey(w)),
  );
  if (unconfirmed.length > 0) {
    throw new SmimeError(
      'REFLECT_NOT_CONFIRMED',
      `reflecting "${c.name}" needs confirmation: ${summarise(unconfirmed)}`,
    );
  }
  const now = ctx.now();
  const serial = nextSerial(ctx, current);
  const fileName = bundleFileName(c, serial, now);
  const out = target(outPath, fileName);
  if (out) checkOutsideData(ctx, out);
  if (out === null && !c.publishDir)
    throw new SmimeError('USAGE', `"${c.name}" has no publish folder: say where to write the bundle`);
  onProgress?.('reading-keychain');
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  const records = c.certificateIds.map((id) => {
    const r = byId.get(id);
    if (!r)
      throw new SmimeError('CERT_NOT_FOUND', `a certificate of reflection ${opts.reexportOf} is no longer registered`);
    return r;
  });
  const certs: BundleSecretCertificate[] = [];
  for (const rec of records) {
    const { p12, password } = await loadSecret(ctx, rec);
    const { email, fingerprintSha256, subject, issuer, notBefore, notAfter } = rec;
    certs.push({ email, fingerprintSha256, subject, issuer, notBefore, notAfter, p12, password });
  }
  onProgress?.('encrypting');
  const { id, name: compName, intelligentBcc, destinationExceptions, headerExceptions } = c;
  const composition = { id, name: compName, intelligentBcc, destinationExceptions, headerExceptions };
  const bytes = writeBundle(passphrase, composition, certs, { createdAt: now, createdBy: osUser(), serial });
  onProgress?.('writing');
  if (out) writeFileAtomic(out, bytes, 0o600, { overwrite: opts.overwrite === true });
  const published = c.publishDir ? join(c.publishDir, fileName) : null;
  if (published) writeFileAtomic(published, bytes, 0o644, { overwrite: false });
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const snapshot = snapshotOf(c, state, byId);
  const file = out ?? published!;
  ctx.mutate((s) => {
    const comp = s.compositions.find((x) => x.id === c.id);
    if (!comp)
      throw new SmimeError('COMPOSITION_NOT_FOUND', `composition "${c.name}" was deleted while it was being reflected`);
    if (opts.reexportOf !== undefined) {
      // a re-export is a rollback: the composition here takes the settings the servers now run
      Object.assign(comp, c, { updatedAt: now.toISOString() });
      touch(ctx, comp);
    }
    comp.lastReflection = { at: now.toISOString(), serial, bundleFile: file, bundleFingerprint: fingerprint, snapshot };
  });
  const entry: StoredHistoryEntry = {
    serial,
    at: now.toISOString(),
    by: osUser(),
    file,
    published,
    fingerprintSha256: fingerprint,
    certificates: certs.length,
    changes: review.changes,
    reexportOf: opts.reexportOf ?? null,
    settings: {
      name: c.name,
      intelligentBcc,
      destinationExceptions,
      headerExceptions,
      certificateIds: c.certificateIds,
    },
  };
  appendHistory(ctx, c.id, entry);
  ctx.audit('reflect', c.name, {
    bundleFingerprint: fingerprint,
    certificates: certs.length,
    serial,
    ...(opts.reexportOf !== undefined ? { reexportOf: opts.reexportOf } : {}),
    ...(review.confirmations.length ? { confirmed: review.confirmations.map(confirmationKey).join(',') } : {}),
  });
  onProgress?.('done');
  return {
    composition: c.name,
    file,
    size: bytes.length,
    fingerprintSha256: fingerprint,
    certificates: certs.length,
    at: now.toISOString(),
    warnings: review.confirmations,
    serial,
    published,
  };
}

/** Writes the composition's config bundle and records it as reflected, as the folder's only writer. */
export const reflect = (
  ctx: DomainContext,
  name: string,
  passphrase: string,
  outPath: string | null,
  onProgress?: (p: ReflectProgress) => void,
  opts: ReflectOptions = {},
): Promise<ReflectResult> => ctx.exclusive(() => reflectNow(ctx, name, passphrase, outPath, onProgress, opts));

/**
 * Reflects every composition with pending changes, each to its own uniquely named file in
 * `outDir` (and its publish folder). All are reviewed first: nothing is written unless every one
 * is confirmed.
 */
export const reflectAll = (
  ctx: DomainContext,
  passphrase: string,
  outDir: string | null,
  opts: Pick<ReflectOptions, 'confirm'> = {},
): Promise<ReflectResult[]> =>
  ctx.exclusive(async () => {
    checkPassphrase(passphrase);
    const names = pending(ctx)
      .filter((p) => p.changes.length > 0)
      .map((p) => p.composition);
    for (const n of names) {
      const missing = reviewReflection(ctx, n).confirmations.filter(
        (w) => opts.confirm !== 'all' && !(opts.confirm ?? []).includes(confirmationKey(w)),
      );
      if (missing.length > 0) {
        throw new SmimeError('REFLECT_NOT_CONFIRMED', `reflecting "${n}" needs confirmation: ${summarise(missing)}`);
      }
    }
    const out: ReflectResult[] = [];
    for (const n of names) out.push(await reflectNow(ctx, n, passphrase, outDir, undefined, { confirm: 'all' }));
    return out;
  });

export function history(ctx: DomainContext, name: string): HistoryEntry[] {
  return historyView(readHistory(ctx, findComposition(ctx.load(), name).id));
}

export type { CertRecord };
