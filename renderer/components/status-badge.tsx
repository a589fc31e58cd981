import type { CertStatus } from '../../main/contract';
import { fill, useStrings } from '../i18n';

export function StatusBadge({
  status,
  daysLeft,
  threshold,
}: {
  status: CertStatus;
  daysLeft: number;
  threshold?: number | null;
}) {
  const t = useStrings();
  const text = status === 'expiring' ? fill(t.status.expiring, { n: daysLeft }) : t.status[status];
  const tone = status === 'valid' ? 'ok' : status === 'expiring' && threshold === 0 ? 'warn' : 'bad';
  return <span className={`badge ${tone}`}>{text}</span>;
}
