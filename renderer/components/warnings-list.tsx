import type { CertWarning } from '../../main/contract';
import { useCodeText, useStrings } from '../i18n';

export function WarningsList({ warnings }: { warnings: CertWarning[] }) {
  const t = useStrings();
  const text = useCodeText();
  if (warnings.length === 0) return <p className="muted">{t.addCert.noWarnings}</p>;
  return (
    <ul className="warnings">
      {warnings.map((w, i) => (
        <li key={`${w.code}-${i}`} className={`sev-${w.severity}`} data-code={w.code}>
          <span className="badge-sev">{t.severity[w.severity]}</span> {text.warning(w)}
        </li>
      ))}
    </ul>
  );
}
