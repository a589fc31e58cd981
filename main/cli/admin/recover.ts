/** `smime-admin recover`: finishes or rolls back what an interrupted operation left, and says what it did. */
import { parse } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { usage, type AdminContext } from './context';

export async function recoverCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const u = 'smime-admin recover [--json]';
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, u);
  if (positionals.length) usage(u);
  const r = await ctx.service().recover();
  if (values.json) out.stdout(json(r));
  else {
    const lines = [
      ...r.finished.map((x) => `finished: ${x}`),
      ...r.rolledBack.map((x) => `rolled back: ${x}`),
      ...r.orphanFiles.map((x) => `removed orphan file: ${x}`),
      ...r.pending.map((x) => `still pending: ${x}`),
    ];
    out.stdout(lines.length ? lines.join('\n') + '\n' : 'Nothing to recover: the data folder is consistent.\n');
  }
  return r.pending.length > 0 ? 1 : 0;
}
