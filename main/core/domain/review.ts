/**
 * What a reflection sends, reviewed before it is written: the certificates with their validity
 * and warnings, the exceptions, the BCC switch, the difference from the last reflection, and the
 * things an admin must confirm explicitly (an expired, not yet valid or soon expiring certificate,
 * no certificate at all, an exception that matches every ordinary address or value).
 */
import type { ReflectReview, ReflectWarning } from '../../contract';
import { expiryWarnings } from '../engine/certificate';
import { destinationMatchesEverything, headerMatchesEverything } from './catch-all';
import { staticWarnings } from './certificates';
import { findComposition } from './compositions';
import type { DomainContext } from './context';
import { readHistory } from './history';
import { pendingChanges } from './snapshot';
import type { CertRecord, Composition } from './state';
import { statusAt } from './status';

/** A bundle's file name: an ASCII slug of the name, the composition's short id, the reflection number and the time (UTC). */
export function bundleFileName(c: Pick<Composition, 'id' | 'name'>, serial: number, at: Date): string {
  const slug =
    c.name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'composition';
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${slug}-${c.id.replace(/-/g, '').slice(0, 8)}-r${serial}-${stamp}.smime-bundle.json`;
}

function confirmations(c: Composition, records: CertRecord[], now: Date, warnDays: number[]): ReflectWarning[] {
  const out: ReflectWarning[] = [];
  if (records.length === 0) out.push({ code: 'no-certificate', params: {} });
  for (const rec of records) {
    const st = statusAt(rec, now, warnDays);
    if (st.status === 'expired')
      out.push({ code: 'certificate-expired', params: { email: rec.email, date: rec.notAfter } });
    else if (st.status === 'not-yet-valid') {
      out.push({ code: 'certificate-not-yet-valid', params: { email: rec.email, date: rec.notBefore } });
    } else if (st.status === 'expiring')
      out.push({ code: 'certificate-expiring', params: { email: rec.email, days: st.daysLeft } });
  }
  for (const e of c.destinationExceptions) {
    if (e.enabled && destinationMatchesEverything(e.pattern)) {
      out.push({ code: 'matches-everything', params: { kind: 'destination', id: e.id, pattern: e.pattern } });
    }
  }
  for (const e of c.headerExceptions) {
    if (e.enabled && headerMatchesEverything(e.header, e.pattern)) {
      out.push({
        code: 'matches-everything',
        params: { kind: 'header', id: e.id, pattern: e.pattern, header: e.header },
      });
    }
  }
  return out;
}

/** The number the next reflection of `c` gets: one more than any before (history included). */
export function nextSerial(ctx: DomainContext, c: Composition): number {
  return Math.max(c.lastReflection?.serial ?? 0, readHistory(ctx, c.id)[0]?.serial ?? 0) + 1;
}

/** The review of reflecting one composition now. */
export function reviewReflection(ctx: DomainContext, name: string, settings?: Composition): ReflectReview {
  const state = ctx.load();
  const c = settings ?? findComposition(state, name);
  const now = ctx.now();
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  const records = c.certificateIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const warnDays = state.settings.warnDays;
  const last = c.lastReflection;
  return {
    composition: { id: c.id, name: c.name },
    certificates: records.map((r) => ({
      email: r.email,
      fingerprintSha256: r.fingerprintSha256,
      notBefore: r.notBefore,
      notAfter: r.notAfter,
      ...(({ status, daysLeft }) => ({ status, daysLeft }))(statusAt(r, now, warnDays)),
      warnings: [
        ...expiryWarnings(new Date(r.notBefore), new Date(r.notAfter), now, warnDays[0] ?? 30),
        ...staticWarnings(r),
      ],
    })),
    destinationExceptions: c.destinationExceptions,
    headerExceptions: c.headerExceptions,
    intelligentBcc: c.intelligentBcc,
    changes: pendingChanges(c, state, byId),
    ...(() => {
      const list = confirmations(c, records, now, warnDays);
      return { confirmations: list, confirmationKeys: list.map(confirmationKey) };
    })(),
    lastReflection: last ? { at: last.at, serial: last.serial ?? null, file: last.bundleFile } : null,
    publishDir: c.publishDir ?? null,
    suggestedFileName: bundleFileName(c, nextSerial(ctx, c), now),
  };
}

/** A confirmation's identity, as the admin acknowledges it (the CLI's --yes acknowledges all). */
export function confirmationKey(w: ReflectWarning): string {
  const p = w.params as Record<string, unknown>;
  return [w.code, p.email ?? p.id ?? ''].join(':');
}
