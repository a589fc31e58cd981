/**
 * Expiry notices: at start and once a day, an OS notification for certificates that are
 * expired or inside the warning threshold.
 */
import type { CertificateView } from '../contract';
import type { ServiceApi } from '../core/domain/remote';

const TEXT = {
  en: {
    title: (n: number) => `${n} S/MIME certificate${n === 1 ? '' : 's'} need attention`,
    expired: (c: CertificateView) => `${c.email}: expired — its mail is rejected with 451`,
    notYet: (c: CertificateView) => `${c.email}: not yet valid`,
    soon: (c: CertificateView) => `${c.email}: expires in ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'}`,
  },
  ja: {
    title: (n: number) => `S/MIME 証明書 ${n} 件の確認が必要です`,
    expired: (c: CertificateView) => `${c.email}: 有効期限切れ（451 で拒否されます）`,
    notYet: (c: CertificateView) => `${c.email}: まだ有効ではありません`,
    soon: (c: CertificateView) => `${c.email}: あと ${c.daysLeft} 日で期限切れ`,
  },
};

export function expiryNotice(certs: CertificateView[], language: 'en' | 'ja'): { title: string; body: string } | null {
  if (certs.length === 0) return null;
  const t = TEXT[language];
  const lines = certs.map((c) =>
    c.status === 'expired' ? t.expired(c) : c.status === 'not-yet-valid' ? t.notYet(c) : t.soon(c),
  );
  return { title: t.title(certs.length), body: lines.join('\n') };
}

export const DAY_MS = 86_400_000;

/** Shows the notice now and every day; returns a function that stops it. */
export function scheduleExpiryNotices(
  service: Pick<ServiceApi, 'certificatesNeedingAttention' | 'getSettings'>,
  show: (n: { title: string; body: string }, certs: CertificateView[]) => void,
  language: () => 'en' | 'ja',
  timers: { setInterval: typeof setInterval; clearInterval: typeof clearInterval } = { setInterval, clearInterval },
): () => void {
  const run = async (): Promise<void> => {
    try {
      const certs = await service.certificatesNeedingAttention();
      const n = expiryNotice(certs, (await service.getSettings()).language ?? language());
      if (n) show(n, certs);
    } catch {
      // a broken settings file is reported by the window; notices stay quiet
    }
  };
  void run();
  const id = timers.setInterval(run, DAY_MS);
  return () => timers.clearInterval(id);
}
