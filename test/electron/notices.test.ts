import { setLogSink } from '../../main/logging';
import { describe, expect, it } from 'vitest';
import { expiryNotice, scheduleExpiryNotices, DAY_MS } from '../../main/electron/notices';
setLogSink(() => undefined);

describe('expiry notices', () => {
  it('notifies at start and daily for certificates needing attention', async () => {
    const certs = [
      { email: 'a@x.jp', status: 'expired', daysLeft: -3 },
      { email: 'b@x.jp', status: 'expiring', daysLeft: 5 },
    ] as never;
    expect(expiryNotice(certs, 'en')).toEqual({
      title: '2 S/MIME certificates need attention',
      body: 'a@x.jp: expired — its mail is rejected with 451\nb@x.jp: expires in 5 days',
    });
    expect(expiryNotice(certs, 'ja')!.title).toBe('S/MIME 証明書 2 件の確認が必要です');
    expect(expiryNotice([], 'en')).toBeNull();
    const shown: string[] = [];
    let tick: (() => void) | undefined;
    let period = 0;
    const stop = scheduleExpiryNotices(
      {
        certificatesNeedingAttention: async () => certs,
        getSettings: async () => ({ warnDays: [30], language: null }),
      },
      (n) => shown.push(n.title),
      () => 'en',
      {
        setInterval: ((fn: () => void, ms: number) => ((tick = fn), (period = ms), 1)) as never,
        clearInterval: (() => undefined) as never,
      },
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(shown).toHaveLength(1);
    expect(period).toBe(DAY_MS);
    tick!();
    await new Promise((r) => setTimeout(r, 0));
    expect(shown).toHaveLength(2);
    stop();
  });
});
