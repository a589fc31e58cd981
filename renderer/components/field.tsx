import { useId, type ReactNode } from 'react';

/** What a control needs to be told apart and explained: its id, whether it is invalid, what describes it. */
export interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * One labelled field: the control, its hint, and what is wrong with it right under it (tied to
 * the control with aria-describedby, so a screen reader reads it with the field).
 */
export function Field({
  label,
  hint,
  error,
  detail,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** a technical line under the error (RE2's reason for a pattern) */
  detail?: string | null;
  className?: string;
  children(control: ControlProps): ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
      })}
      {hint && (
        <span id={hintId} className="muted small">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error">
          {error}
          {detail && <span className="field-error-detail">{detail}</span>}
        </span>
      )}
    </div>
  );
}
