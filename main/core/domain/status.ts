/**
 * Certificate status at a moment, against the admin's warning thresholds: the one place
 * that decides valid / expiring / expired / not yet valid for lists, notices and reflect.
 */
import type { CertStatus } from '../../contract';
import { daysUntil } from '../engine/certificate';

export interface StatusAt {
  status: CertStatus;
  daysLeft: number;
  /** index into warnDays of the tightest threshold crossed, or null */
  threshold: number | null;
}

/** `warnDays` largest first, as settings hold them. An unreadable date counts as expired. */
export function statusAt(
  validity: { notBefore: string; notAfter: string },
  now: Date,
  warnDays: readonly number[],
): StatusAt {
  const notAfter = new Date(validity.notAfter);
  const notBefore = new Date(validity.notBefore);
  if (Number.isNaN(notAfter.getTime()) || Number.isNaN(notBefore.getTime()))
    return { status: 'expired', daysLeft: 0, threshold: null };
  const daysLeft = daysUntil(notAfter, now);
  if (now > notAfter) return { status: 'expired', daysLeft, threshold: null };
  if (now < notBefore) return { status: 'not-yet-valid', daysLeft, threshold: null };
  let threshold: number | null = null;
  warnDays.forEach((d, i) => {
    if (daysLeft < d) threshold = i;
  });
  return { status: threshold === null ? 'valid' : 'expiring', daysLeft, threshold };
}
