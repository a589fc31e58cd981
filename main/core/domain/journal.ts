/**
 * All or nothing across the settings file, the p12 files and the keychain. An operation that
 * writes secrets or files first notes them here (new versions it creates, old versions it will
 * retire), then writes the new things, switches the records in one save, removes the old
 * things, and forgets the note. A note still present when the folder lock is next taken means
 * a crash: the recovery pass finishes the operation when its records were switched, and rolls
 * it back when they were not. Removing a certificate is always finished: its secret goes first.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files';
import { CERT_DIR, type DomainContext } from './context';
import type { AdminState, CertRecord } from './state';

export const JOURNAL_FILE = 'journal.json';

/** One stored certificate version: its record id and version name its p12 file and keychain account. */
export type StoredRef = Pick<CertRecord, 'id' | 'version' | 'fileName'>;

export interface JournalEntry {
  id: string;
  op: 'add' | 'renew' | 'import' | 'remove';
  startedAt: string;
  /** new versions this operation writes; removed again when it is rolled back */
  created: StoredRef[];
  /** old versions this operation replaces or removes; removed once its records are switched */
  retired: StoredRef[];
}

export interface RecoveryReport {
  finished: string[];
  rolledBack: string[];
  orphanFiles: string[];
  /** what could not be cleaned up yet (the keychain was unavailable); tried again next time */
  pending: string[];
}

function path(ctx: DomainContext): string {
  return join(ctx.dataDir, JOURNAL_FILE);
}

export function readJournal(ctx: DomainContext): JournalEntry[] {
  if (!existsSync(path(ctx))) return [];
  try {
    const v = JSON.parse(readFileSync(path(ctx), 'utf8')) as unknown;
    return Array.isArray(v) ? (v as JournalEntry[]) : [];
  } catch {
    return [];
  }
}

function writeJournal(ctx: DomainContext, entries: JournalEntry[]): void {
  if (entries.length === 0) rmSync(path(ctx), { force: true });
  else writeFileAtomic(path(ctx), JSON.stringify(entries, null, 1), 0o600);
}

/** Notes an operation before it writes anything outside the settings file. */
export function begin(
  ctx: DomainContext,
  op: JournalEntry['op'],
  created: StoredRef[],
  retired: StoredRef[],
): JournalEntry {
  const entry: JournalEntry = { id: randomUUID(), op, startedAt: ctx.now().toISOString(), created, retired };
  writeJournal(ctx, [...readJournal(ctx), entry]);
  return entry;
}

/** Forgets a finished (or fully undone) operation. */
export function end(ctx: DomainContext, entry: JournalEntry): void {
  writeJournal(
    ctx,
    readJournal(ctx).filter((e) => e.id !== entry.id),
  );
}

/** Removes a version's p12 file and keychain entry; false when the keychain refused (it is tried again later). */
/** The public certificates of a version, beside its p12. */
export function pemFileName(p12FileName: string): string {
  return p12FileName.replace(/\.p12$/, '.pem');
}

export async function removeStoredRef(
  ctx: DomainContext,
  ref: StoredRef,
  account: (r: StoredRef) => string,
): Promise<boolean> {
  rmSync(join(ctx.dataDir, CERT_DIR, ref.fileName), { force: true });
  rmSync(join(ctx.dataDir, CERT_DIR, pemFileName(ref.fileName)), { force: true });
  try {
    await ctx.secrets.delete(account(ref));
    return true;
  } catch {
    return false;
  }
}

const has = (s: AdminState, r: StoredRef): boolean =>
  s.certificates.some((c) => c.id === r.id && c.version === r.version);

/**
 * Finishes or rolls back what a crash left half done, and removes p12 files no record and no
 * note explains. Runs with the folder lock held, before the first operation of a process.
 */
export async function recover(ctx: DomainContext, account: (r: StoredRef) => string): Promise<RecoveryReport> {
  const report: RecoveryReport = { finished: [], rolledBack: [], orphanFiles: [], pending: [] };
  const entries = readJournal(ctx);
  const left: JournalEntry[] = [];
  for (const e of entries) {
    const state = ctx.load();
    let ok = true;
    if (e.op === 'remove') {
      for (const r of e.retired) ok = (await removeStoredRef(ctx, r, account)) && ok;
      if (e.retired.some((r) => has(state, r))) {
        ctx.mutate((s) => {
          s.certificates = s.certificates.filter(
            (c) => !e.retired.some((r) => r.id === c.id && r.version === c.version),
          );
        });
      }
      report.finished.push(`${e.op} ${e.startedAt}`);
    } else if (e.created.length > 0 && e.created.every((r) => has(state, r))) {
      for (const r of e.retired) ok = (await removeStoredRef(ctx, r, account)) && ok;
      report.finished.push(`${e.op} ${e.startedAt}`);
    } else {
      for (const r of e.created) if (!has(state, r)) ok = (await removeStoredRef(ctx, r, account)) && ok;
      report.rolledBack.push(`${e.op} ${e.startedAt}`);
    }
    if (!ok) {
      left.push(e);
      report.pending.push(`${e.op} ${e.startedAt}: the keychain did not answer`);
    }
  }
  writeJournal(ctx, left);
  report.orphanFiles = removeOrphanFiles(ctx, left);
  if (report.finished.length + report.rolledBack.length + report.orphanFiles.length > 0) {
    ctx.audit('recovery', undefined, {
      finished: report.finished.length,
      rolledBack: report.rolledBack.length,
      orphanFiles: report.orphanFiles.length,
      pending: report.pending.length,
    });
  }
  return report;
}

function removeOrphanFiles(ctx: DomainContext, notes: JournalEntry[]): string[] {
  const dir = join(ctx.dataDir, CERT_DIR);
  if (!existsSync(dir)) return [];
  const known = new Set<string>();
  const keep = (fileName: string): void => {
    known.add(fileName);
    known.add(pemFileName(fileName));
  };
  for (const c of ctx.load().certificates) keep(c.fileName);
  for (const e of notes) for (const r of [...e.created, ...e.retired]) keep(r.fileName);
  // files of versions nothing explains, and temporary files of atomic writes a crash interrupted
  const orphans = readdirSync(dir).filter((f) => (/\.(p12|pem)$/.test(f) && !known.has(f)) || /^\..*\.tmp$/.test(f));
  for (const f of orphans) rmSync(join(dir, f), { force: true });
  return orphans;
}
