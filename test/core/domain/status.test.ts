import { describe, expect, it } from 'vitest';
import { statusAt } from '../../../main/core/domain/status';

const NOW = new Date('2026-11-28T00:00:00Z');
const validity = (from: string, to: string) => ({ notBefore: from, notAfter: to });

describe('certificate status at a moment', () => {
  it('is valid, then expiring at each threshold (largest first), then expired', () => {
    const v = validity('2026-01-01T00:00:00Z', '2026-12-20T00:00:00Z');
    expect(statusAt(v, NOW, [30, 7])).toEqual({ status: 'expiring', daysLeft: 22, threshold: 0 });
    expect(statusAt(v, NOW, [10, 3])).toEqual({ status: 'valid', daysLeft: 22, threshold: null });
    expect(statusAt(v, new Date('2026-12-15T00:00:00Z'), [30, 7])).toEqual({
      status: 'expiring',
      daysLeft: 5,
      threshold: 1,
    });
    expect(statusAt(v, new Date('2026-12-21T00:00:00Z'), [30, 7])).toMatchObject({
      status: 'expired',
      threshold: null,
    });
  });

  it('is not yet valid before notBefore', () => {
    expect(statusAt(validity('2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z'), NOW, [30])).toMatchObject({
      status: 'not-yet-valid',
    });
  });

  it('counts an unreadable date as expired, never as "NaN days"', () => {
    expect(statusAt(validity('garbage', '2028-01-01T00:00:00Z'), NOW, [30])).toEqual({
      status: 'expired',
      daysLeft: 0,
      threshold: null,
    });
    expect(statusAt(validity('2026-01-01T00:00:00Z', ''), NOW, [30])).toEqual({
      status: 'expired',
      daysLeft: 0,
      threshold: null,
    });
  });
});
