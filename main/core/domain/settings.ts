/** The admin password (set once, changed with the current one) and the console's settings. */
import type { Settings } from '../../contract';
import { SmimeError } from '../errors';
import { hashAdminPassword, verifyAdminPassword } from './admin-password';
import type { DomainContext } from './context';

export function isAdminPasswordSet(ctx: DomainContext): boolean {
  return ctx.load().adminPassword !== null;
}

/** Sets the admin password at first use; changing it needs the current one. */
export function setAdminPassword(ctx: DomainContext, newPassword: string, currentPassword?: string): void {
  const hash = hashAdminPassword(newPassword);
  ctx.mutate((s) => {
    if (s.adminPassword) {
      if (currentPassword === undefined) {
        throw new SmimeError(
          'ADMIN_PASSWORD_WRONG',
          'an admin password is already set; give the current one to change it',
        );
      }
      verifyAdminPassword(s.adminPassword, currentPassword);
    }
    s.adminPassword = hash;
  });
  ctx.audit(currentPassword === undefined ? 'admin-password.set' : 'admin-password.change');
}

export function checkAdminPassword(ctx: DomainContext, password: string): void {
  verifyAdminPassword(ctx.load().adminPassword, password);
}

export function getSettings(ctx: DomainContext): Settings {
  return ctx.load().settings;
}

/** Thresholds are one to three whole numbers of days (1–365), kept largest first and without repeats. */
export function updateSettings(ctx: DomainContext, patch: Partial<Settings>): Settings {
  if (patch.warnDays) {
    const days = [...new Set(patch.warnDays)].sort((a, b) => b - a);
    if (days.length < 1 || days.length > 3 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) {
      throw new SmimeError('USAGE', 'warning thresholds are one to three whole numbers of days between 1 and 365');
    }
    patch = { ...patch, warnDays: days };
  }
  const out = ctx.mutate((s) => {
    s.settings = { ...s.settings, ...patch };
    return s.settings;
  });
  ctx.audit('settings.update', undefined, { warnDays: out.warnDays.join(','), language: out.language });
  return out;
}
