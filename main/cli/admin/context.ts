/** What every admin command needs: the data folder and, on first use, the admin service over the real keychain. */
import { ConfStateStore } from '../../adapters/conf-state-store';
import { KeytarSecretStore } from '../../adapters/keytar-secret-store';
import { defaultDataDir } from '../../core/data-dir';
import { AdminService, SECRET_SERVICE } from '../../core/domain/service';
import { SmimeError } from '../../core/errors';

export const EX_TEMPFAIL = 75;

export interface AdminContext {
  dataDir: string;
  service: () => AdminService;
}

export function adminContext(dataDir = defaultDataDir()): AdminContext {
  let svc: AdminService | undefined;
  return {
    dataDir,
    service: () =>
      (svc ??= new AdminService({
        store: new ConfStateStore(dataDir),
        secrets: new KeytarSecretStore(SECRET_SERVICE),
        dataDir,
      })),
  };
}

export function usage(u: string, extra = ''): never {
  throw new SmimeError('USAGE', `${extra ? extra + '; ' : ''}usage: ${u}`);
}
