/**
 * What a composition means to a mail server, and how that differs from what the servers
 * were last given: the pending changes that only a reflection applies.
 */
import type { PendingChange, PendingKind } from '../../contract';
import { sameEmail } from '../engine/certificate';
import type { AdminState, CertRecord, Composition, CompositionSnapshot } from './state';

export function snapshotOf(
  c: Composition,
  state: AdminState,
  byId: ReadonlyMap<string, CertRecord> = new Map(state.certificates.map((r) => [r.id, r])),
): CompositionSnapshot {
  const certificates = c.certificateIds
    .map((id) => byId.get(id))
    .filter((r): r is CertRecord => r !== undefined)
    .map((r) => ({ email: r.email, fingerprintSha256: r.fingerprintSha256 }))
    .sort((a, b) => a.email.localeCompare(b.email));
  return {
    name: c.name,
    certificates,
    destinationExceptions: c.destinationExceptions.filter((e) => e.enabled).map((e) => ({ pattern: e.pattern })),
    headerExceptions: c.headerExceptions
      .filter((e) => e.enabled)
      .map((e) => ({ header: e.header, pattern: e.pattern })),
    intelligentBcc: c.intelligentBcc,
  };
}

type Rule = { header?: string; pattern: string };
// header names compare without case (RFC 5322 §1.2.2); the change names the header as the admin spelt it
const key = (h: Rule): string => `${h.header ? h.header.toLowerCase() + ': ' : ''}${h.pattern}`;
const shown = (h: Rule): string => `${h.header ? h.header + ': ' : ''}${h.pattern}`;

function setDiff(out: PendingChange[], a: Rule[], b: Rule[], added: PendingKind, removed: PendingKind): void {
  const ak = new Map(a.map((h) => [key(h), shown(h)]));
  const bk = new Map(b.map((h) => [key(h), shown(h)]));
  for (const [k, subject] of ak) if (!bk.has(k)) out.push({ kind: added, subject });
  for (const [k, subject] of bk) if (!ak.has(k)) out.push({ kind: removed, subject });
}

/** Differences between the composition now and its last reflection, in a stable order. */
export function pendingChanges(
  c: Composition,
  state: AdminState,
  byId?: ReadonlyMap<string, CertRecord>,
): PendingChange[] {
  const cur = snapshotOf(c, state, byId);
  const prev = c.lastReflection?.snapshot;
  if (!prev) return [{ kind: 'never-reflected', subject: c.name }];
  const out: PendingChange[] = [];
  if (prev.name !== undefined && prev.name !== cur.name)
    out.push({ kind: 'renamed', subject: `${prev.name} → ${cur.name}` });
  for (const x of cur.certificates) {
    const p = prev.certificates.find((y) => sameEmail(y.email, x.email));
    if (!p) out.push({ kind: 'certificate-added', subject: x.email });
    else if (p.fingerprintSha256 !== x.fingerprintSha256) out.push({ kind: 'certificate-renewed', subject: x.email });
  }
  for (const p of prev.certificates) {
    if (!cur.certificates.some((x) => sameEmail(x.email, p.email)))
      out.push({ kind: 'certificate-removed', subject: p.email });
  }
  setDiff(out, cur.destinationExceptions, prev.destinationExceptions, 'destination-added', 'destination-removed');
  setDiff(out, cur.headerExceptions, prev.headerExceptions, 'header-added', 'header-removed');
  if (cur.intelligentBcc !== prev.intelligentBcc) {
    const onOff = (b: boolean) => (b ? 'on' : 'off');
    out.push({ kind: 'bcc-changed', subject: `${onOff(prev.intelligentBcc)} → ${onOff(cur.intelligentBcc)}` });
  }
  return out;
}
