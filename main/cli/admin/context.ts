/** What every admin command needs: the data folder and, on first use, the admin service over the real keychain. */
import { ConfStateStore } from '../../adapters/conf-state-store';
import { KeytarSecretStore } from '../../adapters/keytar-secret-store';
import { defaultDataDir, keychainService } from '../../core/data-dir';
import { AdminService } from '../../core/domain/service';
import { SmimeError } from '../../core/errors';
import type { Output } from '../output';
import { json } from '../render';

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
        secrets: new KeytarSecretStore(keychainService()),
        dataDir,
      })),
  };
}

export function usage(u: string, extra = ''): never {
  throw new SmimeError('USAGE', `${extra ? extra + '; ' : ''}usage: ${u}`);
}

/** The usage line of a command group when its subcommand is missing or unknown. */
export function unknownSubcommand(group: string, subs: string, sub: string | undefined): never {
  return usage(
    `smime-admin ${group} ${subs} …`,
    sub ? `unknown ${group} command "${sub}"` : `missing ${group} command`,
  );
}

/** A listing as JSON, or one line per item, or what to do when there is nothing yet. */
export function printList<T>(
  out: Output,
  asJson: boolean,
  list: T[],
  line: (x: T) => string,
  whenEmpty: string,
  toJson: (x: T) => unknown = (x) => x,
): void {
  if (asJson) out.stdout(json(list.map(toJson)));
  else out.stdout(list.length ? list.map(line).join('\n') + '\n' : `${whenEmpty}\n`);
}
