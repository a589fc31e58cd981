/**
 * The audit log of admin actions: JSON lines built from known fields only (no secret can reach
 * it), each carrying the hash of the one before and its own, so a change to any byte of any
 * entry breaks the chain at that entry. The hash of the last entry is also kept beside the log
 * (audit.head), so removing entries from the end is seen too. This makes the log tamper-evident,
 * not tamper-proof: whoever can rewrite both files can rewrite history, and the threat model
 * (docs/security.md) says so.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../files';
import { withFolderLock, type FolderLockObserver } from '../lock';

export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  target?: string;
  details?: Record<string, string | number | boolean | null>;
  /** hash of the previous entry (64 zeros for the first) */
  prev?: string;
  /** SHA-256 of this entry's JSON without `hash` */
  hash?: string;
}

export const AUDIT_FILE = 'audit.log';
export const AUDIT_HEAD = 'audit.head';
const GENESIS = '0'.repeat(64);

/** The OS account running smime-admin: who did it, in the audit log and in bundles. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** What the next entry links to: the last entry's hash (or, for an entry written before hashes, its bytes' hash). */
function lastLink(path: string): string {
  if (!existsSync(path)) return GENESIS;
  const size = statSync(path).size;
  if (size === 0) return GENESIS;
  const len = Math.min(size, 256 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  const lines = buf.toString('utf8').split('\n').filter(Boolean);
  return linkOf(lines.at(-1) ?? '');
}

function linkOf(line: string): string {
  try {
    const e = JSON.parse(line) as AuditEntry;
    if (typeof e.hash === 'string') return e.hash;
  } catch {
    // a damaged last line: the next entry links to its bytes, and verify names the damage
  }
  return sha256(line);
}

export function appendAudit(
  dataDir: string,
  at: Date,
  action: string,
  target?: string,
  details?: AuditEntry['details'],
  onFolderLock?: FolderLockObserver,
): void {
  const path = join(dataDir, AUDIT_FILE);
  withFolderLock(
    dataDir,
    () => {
      const body: AuditEntry = {
        at: at.toISOString(),
        user: osUser(),
        action,
        ...(target ? { target } : {}),
        ...(details ? { details } : {}),
        prev: lastLink(path),
      };
      const hash = sha256(JSON.stringify(body));
      appendFileSync(path, JSON.stringify({ ...body, hash }) + '\n', { mode: 0o600 });
      writeFileAtomic(join(dataDir, AUDIT_HEAD), `${hash}\n`, 0o600);
    },
    undefined,
    onFolderLock,
  );
}

export interface AuditCheck {
  entries: number;
  /** entries written before the log was chained (they are linked to, not checked) */
  unchained: number;
  intact: boolean;
  /** the first entry that does not hold, 1-based, with why */
  broken?: { line: number; at?: string; action?: string; reason: 'not-json' | 'changed' | 'link' | 'truncated' };
}

/** Walks the chain from the first entry; names the first one that was changed, removed or inserted. */
export function verifyAudit(dataDir: string): AuditCheck {
  const path = join(dataDir, AUDIT_FILE);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  if (lines.at(-1) === '') lines.pop();
  let expected = GENESIS;
  let unchained = 0;
  let chained = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      return { entries: lines.length, unchained, intact: false, broken: { line: i + 1, reason: 'not-json' } };
    }
    const where = { line: i + 1, at: e.at, action: e.action };
    if (typeof e.hash !== 'string') {
      // only entries from before the chain began may lack a hash; after that, a missing one was tampered with
      if (chained || 'prev' in e)
        return { entries: lines.length, unchained, intact: false, broken: { ...where, reason: 'changed' } };
      unchained++;
      expected = sha256(line);
      continue;
    }
    chained = true;
    const { hash, ...body } = e;
    if (sha256(JSON.stringify(body)) !== hash)
      return { entries: lines.length, unchained, intact: false, broken: { ...where, reason: 'changed' } };
    if (body.prev !== expected)
      return { entries: lines.length, unchained, intact: false, broken: { ...where, reason: 'link' } };
    expected = hash;
  }
  const headPath = join(dataDir, AUDIT_HEAD);
  const head = existsSync(headPath) ? readFileSync(headPath, 'utf8').trim() : null;
  if (head !== null && head !== expected) {
    return { entries: lines.length, unchained, intact: false, broken: { line: lines.length, reason: 'truncated' } };
  }
  return { entries: lines.length, unchained, intact: true };
}

export interface AuditFilter {
  since?: Date;
  action?: string;
  /** a composition name or a certificate address, as the entries' target */
  target?: string;
  limit?: number;
}

/**
 * The log's entries, newest first, filtered; damaged lines are skipped (verify names them). A
 * composition keeps its identity across renames: filtered by its name, the log also gives what was
 * logged under its earlier names, and not what an earlier composition of the same name did.
 */
export function readAudit(dataDir: string, filter: AuditFilter = {}): AuditEntry[] {
  const path = join(dataDir, AUDIT_FILE);
  if (!existsSync(path)) return [];
  const out: AuditEntry[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  // the names the target had, as the log is walked back in time
  const names = filter.target === undefined ? undefined : new Set([filter.target.toLowerCase()]);
  for (let i = lines.length - 1; i >= 0 && out.length < (filter.limit ?? 10_000); i--) {
    if (!lines[i]) continue;
    let e: AuditEntry;
    try {
      e = JSON.parse(lines[i]!) as AuditEntry;
    } catch {
      continue;
    }
    const target = (e.target ?? '').toLowerCase();
    let concerns = !names || names.has(target);
    if (names && e.action === 'composition.rename') {
      const to = String(e.details?.newName ?? '').toLowerCase();
      if (names.has(to)) {
        // before this rename it had its old name; the new name was not yet its own
        concerns = true;
        names.delete(to);
        names.add(target);
      }
    }
    if (names && e.action === 'bundle.import' && typeof e.details?.previousName === 'string' && names.has(target)) {
      // an import renamed it (its target is the new name): before, it had the previous one
      names.delete(target);
      names.add(e.details.previousName.toLowerCase());
    }
    // before it was created, its name was nobody's or another composition's
    const creates = e.action === 'composition.create' || (e.action === 'bundle.import' && e.details?.created === true);
    if (names && concerns && creates) names.delete(target);
    if (!concerns) continue;
    if (filter.since && new Date(e.at) < filter.since) continue;
    if (filter.action && e.action !== filter.action && !e.action.startsWith(`${filter.action}.`)) continue;
    out.push(e);
  }
  return out;
}
