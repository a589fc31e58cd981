/**
 * The smime-admin command-line tool. Every command is a thin call into main/core;
 * failures print one line on stderr and exit non-zero, never a stack trace.
 */
import { describeError, SmimeError } from '../core/errors';
import { adminContext, ADMIN_COMMANDS, runAdminCommand } from './admin';
import { processOutput, type Output } from './output';
import { relayCommand } from './relay';
import { inspectCommand, signCommand, verifyCommand } from './signing-commands';

export const EXIT = { ok: 0, failure: 1, usage: 2, tempfail: 75 } as const;

const HELP = `smime-admin — S/MIME signing administration

Signing
  smime-admin inspect FILE.p12 --password-env VAR [--json]
  smime-admin sign --p12 FILE.p12 --password-env VAR --in MSG.eml --out SIGNED.eml [--pss]
  smime-admin verify --in SIGNED.eml [--ca ROOT.pem] [--signer-cert CERT.pem] [--crl CRL.pem ...] [--allow-other-signer] [--json]

Administration (global: --data-dir DIR or SMIME_ADMIN_HOME)
  smime-admin admin-password set --password-env VAR
  smime-admin cert add --email ADDR --p12 FILE --password-env VAR [--json]
  smime-admin cert list [--json] | cert show ADDR [--json]
  smime-admin cert renew --email ADDR --p12 FILE --password-env VAR
  smime-admin cert remove --email ADDR --admin-password-env VAR
  smime-admin composition create|delete NAME | rename OLD NEW | list|show [NAME] [--json]
  smime-admin composition enable-cert|disable-cert NAME --email ADDR
  smime-admin composition bcc NAME on|off
  smime-admin composition publish NAME FOLDER|off
  smime-admin composition servers NAME [STATUS-URL ...]
  smime-admin exception add-destination NAME PATTERN
  smime-admin exception add-header NAME HEADER-NAME VALUE-PATTERN
  smime-admin exception list NAME [--json] | remove|disable|enable NAME ID
  smime-admin pending [NAME] [--json]
  smime-admin recover [--json]
  smime-admin audit show [--since ISO-TIME] [--action ACTION] [--target NAME-OR-ADDRESS] [--json]
  smime-admin audit verify [--json]
  smime-admin settings show [--json] | settings set [--warn-days N[,N]] [--language en|ja|system]
  smime-admin reflect NAME [--out BUNDLE-OR-FOLDER] --passphrase-env VAR [--yes] [--overwrite] [--reexport N] [--json]
  smime-admin reflect NAME --review [--json]
  smime-admin reflect --all [--out FOLDER] --passphrase-env VAR [--yes] [--json]
  smime-admin history NAME [--json]
  smime-admin servers status [NAME] [--json]
  smime-admin bundle inspect BUNDLE --passphrase-env VAR [--json]
  smime-admin bundle import BUNDLE --passphrase-env VAR [--preview] [--discard-pending] [--allow-older] [--json]
  smime-admin send-test --bundle BUNDLE --passphrase-env VAR --composition NAME --in MSG.eml
      --mail-from ADDR --rcpt ADDR [--rcpt ADDR ...] [--bcc-copy ADDR ...] [--detect-bcc-copies] --out-dir DIR [--json] [--at ISO-TIME]

Signing relay (next to Postfix; see docs/relay.md)
  smime-admin relay --bundle-dir DIR --composition NAME|ID --passphrase-env VAR|--passphrase-file FILE
      --upstream HOST:PORT [--listen HOST:PORT] [--mode lmtp|smtp] [--workers N] [--status HOST:PORT]
      [--max-size MB] [--tls-cert FILE --tls-key FILE] [--allow-from CIDR,...] [--allow-rollback]
      [--max-connections N] [--idle-timeout S] [--data-timeout S] [--drain-timeout S] [--hostname NAME]
  smime-admin relay status --url http://HOST:PORT [--json]
  smime-admin relay check --bundle FILE --passphrase-env VAR|--passphrase-file FILE --composition NAME|ID [--json]

Secrets are read only from the environment variable named by --X-env, or from a file only its
owner can read named by --X-file (every --X-env has a --X-file form); never from argv.
'-' stands for standard input or output.
`;

/** Takes the global --data-dir DIR (or --data-dir=DIR) out of argv, wherever it stands. */
function extractDataDir(argv: string[]): { dataDir?: string; args: string[] } {
  const args: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir') {
      dataDir = argv[++i];
      if (!dataDir) throw new SmimeError('USAGE', '--data-dir needs a folder');
    } else if (a.startsWith('--data-dir=')) {
      dataDir = a.slice('--data-dir='.length);
      if (!dataDir) throw new SmimeError('USAGE', '--data-dir needs a folder');
    } else args.push(a);
  }
  return { ...(dataDir ? { dataDir } : {}), args };
}

export async function run(argv: string[], out: Output = processOutput): Promise<number> {
  try {
    const { dataDir, args } = extractDataDir(argv);
    const [command, ...rest] = args;
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.stdout(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case 'inspect':
        return inspectCommand(rest, out);
      case 'sign':
        return signCommand(rest, out);
      case 'verify':
        return verifyCommand(rest, out);
      case 'relay':
        return await relayCommand(rest, out);
      default:
        if (ADMIN_COMMANDS.has(command)) return await runAdminCommand(command, rest, out, adminContext(dataDir));
        out.stderr(`smime-admin: unknown command "${command}"; run smime-admin --help\n`);
        return EXIT.usage;
    }
  } catch (e) {
    const { code, message } = describeError(e);
    out.stderr(`smime-admin: ${message}\n`);
    return code === 'USAGE' ? EXIT.usage : EXIT.failure;
  }
}

/** Entry point used by bin/smime-admin.js. */
export function main(): void {
  // Libraries bundled into the CLI (conf's atomic writes) install JavaScript handlers for SIGINT
  // and SIGTERM, which run only when the event loop is free: a busy or waiting CLI would ignore
  // Ctrl-C. The default action ends the process at once; every write here is atomic anyway.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}

if (require.main === module) main();
