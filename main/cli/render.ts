/**
 * Codes become English words at the CLI's edge. JSON keeps the documented fields (`message`,
 * `reason`, `detail` as text) beside the codes and parameters, so scripts can use either.
 */
import {
  decisionText,
  reflectWarningText,
  verifyFailureText,
  warningText,
  type CertWarning,
  type Decision,
  type ReflectWarning,
  type VerifyFailure,
} from '../contract';
import type { VerifyResult } from '../core/engine/smime';

export const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

export function warningsJson(ws: CertWarning[]): (CertWarning & { message: string })[] {
  return ws.map((w) => ({ ...w, message: warningText(w) }));
}

/** Any object with `warnings` gets each warning's message added. */
export function withWarningText<T extends { warnings: CertWarning[] }>(
  v: T,
): Omit<T, 'warnings'> & { warnings: ReturnType<typeof warningsJson> } {
  return { ...v, warnings: warningsJson(v.warnings) };
}

export function warningLine(w: CertWarning): string {
  return `  [${w.severity}] ${warningText(w)}`;
}

export function reflectWarningLine(w: ReflectWarning): string {
  return `  warning: ${reflectWarningText(w)}`;
}

/**
 * `verify --json`: the verification's facts, `reason` in words beside each `failure` code (of
 * the message, of each layer, of each signer) and `fromReason` beside `fromFailure`.
 */
export function verifyJson(r: VerifyResult): object {
  const { content: _c, outerHeaders: _h, failure, fromFailure, layers, ...rest } = r;
  const withReason = <T extends { failure?: VerifyFailure }>(x: T) =>
    x.failure ? { ...x, reason: verifyFailureText(x.failure) } : x;
  return {
    ...rest,
    ...(failure ? { reason: verifyFailureText(failure), failure } : {}),
    ...(fromFailure ? { fromReason: verifyFailureText(fromFailure), fromFailure } : {}),
    layers: layers.map((l) => ({ ...withReason(l), signers: l.signers.map(withReason) })),
  };
}

/** `send-test --json`: one element per recipient, in envelope order. */
export function decisionJson(d: Decision): object {
  return {
    recipient: d.recipient,
    action: d.action,
    reason: d.reason,
    detail: decisionText(d),
    params: d.params,
    smtpCode: d.action === 'reject' ? d.smtp.code : null,
    ...(d.action === 'reject' ? { smtpText: d.smtp.text, smtpEnhanced: d.smtp.enhanced } : {}),
    certificateFingerprint: d.action === 'unsigned' ? null : d.certificate.fingerprintSha256,
  };
}

export function decisionLine(d: Decision): string {
  if (d.action === 'sign')
    return `${d.recipient}: sign with ${d.certificate.email} (${d.certificate.fingerprintSha256})`;
  if (d.action === 'reject') return `${d.recipient}: reject ${d.smtp.code} ${d.smtp.text}`;
  return `${d.recipient}: unsigned (${d.reason}: ${decisionText(d)})`;
}
