import type { AuditCheckView } from '../../../main/contract';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { actionText } from './action-text';

/** Whether the audit log's chain holds; when it does not, the first entry that breaks it. Presentational. */
export function AuditChainBanner({ check, onVerify }: { check: AuditCheckView; onVerify(): void }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const b = check.broken;
  return (
    <div
      className={check.intact ? 'banner ok' : 'banner bad'}
      role={check.intact ? 'status' : 'alert'}
      data-testid="audit-chain"
      data-intact={check.intact}
    >
      <strong>
        {check.intact
          ? fill(t.audit.intact, { n: check.entries })
          : b && b.at && b.action
            ? fill(t.audit.broken, {
                line: b.line,
                action: actionText(t, b.action),
                at: formatDate(b.at, lang, true),
                reason: t.audit.reasons[b.reason],
              })
            : fill(t.audit.brokenLine, {
                line: b?.line ?? check.entries,
                reason: t.audit.reasons[b?.reason ?? 'changed'],
              })}
      </strong>
      {check.unchained > 0 && <div className="small">{fill(t.audit.unchained, { n: check.unchained })}</div>}{' '}
      <button type="button" className="link" onClick={onVerify}>
        {t.audit.verify}
      </button>
    </div>
  );
}
