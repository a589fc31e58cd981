/** `smime-admin admin-password set` and `settings show|set`. */
import type { Settings } from '../../contract';
import { parse, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { usage, type AdminContext } from './context';

function settingsText(st: Settings): string {
  return `Expiry warnings: ${st.warnDays.join(' and ')} days before expiry\nLanguage: ${st.language ?? 'system default'}\n`;
}

export function adminPasswordCommand(ctx: AdminContext, args: string[], out: Output): number {
  const u = 'smime-admin admin-password set --password-env VAR [--current-env VAR]';
  const [sub, ...rest] = args;
  if (sub !== 'set') usage(u);
  const { values, positionals } = parse(rest, { ...secretOptions('password'), ...secretOptions('current') }, u);
  if (positionals.length) usage(u);
  const pw = secretFrom(values, 'password', u)!;
  const current = secretFrom(values, 'current', u, true);
  ctx.service().setAdminPassword(pw, current);
  out.stdout('Admin password set\n');
  return 0;
}

export function settingsCommand(ctx: AdminContext, args: string[], out: Output): number {
  const u = 'smime-admin settings show [--json] | settings set [--warn-days N[,N]] [--language en|ja|system]';
  const [sub, ...rest] = args;
  if (sub === 'show') {
    const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
    if (positionals.length) usage(u);
    const st = ctx.service().getSettings();
    out.stdout(values.json ? json(st) : settingsText(st));
    return 0;
  }
  if (sub !== 'set') return usage(u);
  const { values, positionals } = parse(rest, { 'warn-days': { type: 'string' }, language: { type: 'string' } }, u);
  if (positionals.length || (!values['warn-days'] && !values.language)) usage(u);
  const patch: Partial<Settings> = {};
  if (typeof values['warn-days'] === 'string') {
    const parts = values['warn-days'].split(',').map((d) => d.trim());
    if (parts.some((d) => !/^\d{1,3}$/.test(d)))
      usage(u, `--warn-days "${values['warn-days']}" is not a list of whole numbers`);
    patch.warnDays = parts.map(Number);
  }
  if (typeof values.language === 'string') {
    if (!['en', 'ja', 'system'].includes(values.language)) usage(u, `--language must be en, ja or system`);
    patch.language = values.language === 'system' ? null : (values.language as 'en' | 'ja');
  }
  out.stdout(settingsText(ctx.service().updateSettings(patch)));
  return 0;
}
