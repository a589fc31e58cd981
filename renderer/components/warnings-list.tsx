import type { CertWarning } from '../../main/core/engine/certificate';
import { useStrings } from '../i18n';

export function WarningsList({ warnings }: { warnings: CertWarning[] }) {
  const t = useStrings();
  if (warnings.length === 0) return <p className="muted">{t.addCert.noWarnings}</p>;
  return (
    <ul className="warnings">
      {warnings.map((w) => (
        <li key={w.code} className={`sev-${w.severity}`} data-code={w.code}>
          <span className="badge-sev">{t.severity[w.severity]}</span> {w.message}
        </li>
      ))}
    </ul>
  );
}
