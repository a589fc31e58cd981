import { useId } from 'react';

/** Why a secret typed twice cannot be accepted yet, or null. */
export function confirmationProblem(first: string, second: string, minLength: number): 'too-short' | 'mismatch' | null {
  if ([...first].length < minLength) return 'too-short';
  if (first !== second) return 'mismatch';
  return null;
}

/** A new password or passphrase, entered twice. */
export function ConfirmedSecret(props: {
  label: string;
  repeatLabel: string;
  hint?: string;
  value: [string, string];
  onChange(value: [string, string]): void;
}) {
  const id1 = useId();
  const id2 = useId();
  const [first, second] = props.value;
  return (
    <>
      <div className="field">
        <label htmlFor={id1}>{props.label}</label>
        <input
          id={id1}
          type="password"
          autoComplete="new-password"
          value={first}
          onChange={(e) => props.onChange([e.target.value, second])}
          aria-describedby={props.hint ? `${id1}-hint` : undefined}
        />
        {props.hint && (
          <span id={`${id1}-hint`} className="muted small">
            {props.hint}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor={id2}>{props.repeatLabel}</label>
        <input
          id={id2}
          type="password"
          autoComplete="new-password"
          value={second}
          onChange={(e) => props.onChange([first, e.target.value])}
        />
      </div>
    </>
  );
}
