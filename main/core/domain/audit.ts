/**
 * Append-only audit log of admin actions (JSON lines). Entries are built from
 * known fields only, so no secret can reach the log.
 */
import { appendFileSync } from 'node:fs';
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
