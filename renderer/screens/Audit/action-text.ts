import type { Strings } from '../../i18n/strings';

/** An audit action (`family.verb`, or one word) in words; an action this version does not know is shown as its code. */
export function actionText(t: Strings, action: string): string {
  const [family = '', verb] = action.split(/\.(.*)/s);
  const entry = (t.audit.actions as Record<string, string | Record<string, string>>)[family];
  const text = typeof entry === 'string' ? (verb === undefined ? entry : undefined) : verb && entry?.[verb];
  return text || action;
}
