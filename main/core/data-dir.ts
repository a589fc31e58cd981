/** Where smime-admin keeps its data: the same folder Electron uses as userData for the app. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_DIR_NAME = 'smime-admin';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SMIME_ADMIN_HOME) return resolve(env.SMIME_ADMIN_HOME);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
}

/**
 * The keychain service under which p12 passwords are stored: `smime-admin`, or
 * SMIME_ADMIN_KEYCHAIN_SERVICE for a second, separate installation under the same OS account.
 */
export function keychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env.SMIME_ADMIN_KEYCHAIN_SERVICE?.trim() || APP_DIR_NAME;
}
