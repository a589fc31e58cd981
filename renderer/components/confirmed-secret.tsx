import { Field } from './field';

/** Why a secret typed twice cannot be accepted yet, or null. */
export function confirmationProblem(first: string, second: string, minLength: number): 'too-short' | 'mismatch' | null {
  if ([...first].length < minLength) return 'too-short';
  if (first !== second) return 'mismatch';
  return null;
}

/** A new password or passphrase, entered twice; what is wrong is said under the field it is about. */
export function ConfirmedSecret(props: {
  label: string;
  repeatLabel: string;
  hint?: string;
  value: [string, string];
  onChange(value: [string, string]): void;
  /** what is wrong with the first entry (too short) and with the repetition (differs) */
  errors?: { first?: string | null; second?: string | null };
}) {
  const [first, second] = props.value;
  return (
    <>
      <Field label={props.label} hint={props.hint} error={props.errors?.first}>
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={first}
            onChange={(e) => props.onChange([e.target.value, second])}
          />
        )}
      </Field>
      <Field label={props.repeatLabel} error={props.errors?.second}>
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            value={second}
            onChange={(e) => props.onChange([first, e.target.value])}
          />
        )}
      </Field>
    </>
  );
}
