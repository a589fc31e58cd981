/**
 * Append-only audit log of admin actions (JSON lines). Entries are built from
 * known fields only, so no secret can reach the log.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  target?: string;
  details?: Record<string, string | number | boolean | null>;
}

export const AUDIT_FILE = 'audit.log';

/** The OS account running smime-admin: who did it, in the audit log and in bundles. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function appendAudit(
  dataDir: string,
  at: Date,
  action: string,
  target?: string,
  details?: AuditEntry['details'],
): void {
  const entry: AuditEntry = {
    at: at.toISOString(),
    user: osUser(),
    action,
    ...(target ? { target } : {}),
    ...(details ? { details } : {}),
  };
  appendFileSync(join(dataDir, AUDIT_FILE), JSON.stringify(entry) + '\n', { mode: 0o600 });
}

/**
 * The entries of the audit log that `keep` accepts, oldest first. Lines that are not entries (a
 * line cut by a crash) are skipped; a missing log is an empty one.
 */
export function readAudit(dataDir: string, keep: (e: AuditEntry) => boolean = () => true): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(join(dataDir, AUDIT_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as AuditEntry;
      if (e && typeof e.at === 'string' && typeof e.action === 'string' && keep(e)) out.push(e);
    } catch {
      // a torn last line
    }
  }
  return out;
}
