/**
 * Administration commands: the management console's operations on the command line.
 * Forms are documented in the README and kept stable; secrets only through --*-env.
 */
import type { Output } from '../output';
import { certCommand } from './cert';
import { compositionCommand, exceptionCommand } from './composition';
import { usage, type AdminContext } from './context';
import { auditCommand } from './audit';
import { recoverCommand } from './recover';
import { bundleCommand } from './bundle';
import { historyCommand, pendingCommand, reflectCommand, serversCommand } from './reflect';
import { sendTestCommand } from './send-test';
import { adminPasswordCommand, settingsCommand } from './settings';

export { adminContext, EX_TEMPFAIL, type AdminContext } from './context';

type Command = (ctx: AdminContext, args: string[], out: Output) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  'admin-password': adminPasswordCommand,
  cert: certCommand,
  composition: compositionCommand,
  exception: exceptionCommand,
  pending: pendingCommand,
  reflect: reflectCommand,
  bundle: bundleCommand,
  'send-test': (_ctx, args, out) => sendTestCommand(args, out),
  settings: settingsCommand,
  recover: recoverCommand,
  audit: auditCommand,
  history: historyCommand,
  servers: serversCommand,
};

export const ADMIN_COMMANDS = new Set(Object.keys(COMMANDS));

export async function runAdminCommand(
  command: string,
  args: string[],
  out: Output,
  ctx: AdminContext,
): Promise<number> {
  const run = COMMANDS[command];
  if (!run) return usage('smime-admin --help', `unknown command "${command}"`);
  return run(ctx, args, out);
}
