/** `smime-admin audit show|verify`: who did what, and whether the log's chain still holds. */
import type { AuditEntryView } from '../../contract';
import { parse } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { unknownSubcommand, usage, type AdminContext } from './context';

function entryLine(e: AuditEntryView): string {
  const details = e.details
    ? '  ' +
      Object.entries(e.details)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')
    : '';
  return `${e.at}  ${e.user}  ${e.action}${e.target ? `  ${e.target}` : ''}${details}`;
}

export function auditCommand(ctx: AdminContext, args: string[], out: Output): number {
  const [sub, ...rest] = args;
  if (sub === 'show') {
    const u = 'smime-admin audit show [--since ISO-TIME] [--action ACTION] [--target NAME-OR-ADDRESS] [--json]';
    const { values, positionals } = parse(
      rest,
      { since: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } },
      u,
    );
    if (positionals.length) usage(u);
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = new Date(values.since);
      if (!/^\d{4}-\d\d-\d\d/.test(values.since) || Number.isNaN(since.getTime()))
        usage(u, `--since "${values.since}" is not an ISO 8601 time`);
    }
    const entries = ctx.service().auditLog({
      ...(since ? { since } : {}),
      ...(values.action ? { action: values.action } : {}),
      ...(values.target ? { target: values.target } : {}),
    });
    if (values.json) out.stdout(json(entries));
    else out.stdout(entries.length ? entries.map(entryLine).join('\n') + '\n' : 'No audit entries.\n');
    return 0;
  }
  if (sub === 'verify') {
    const u = 'smime-admin audit verify [--json]';
    const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
    if (positionals.length) usage(u);
    const r = ctx.service().auditVerify();
    if (values.json) out.stdout(json(r));
    else if (r.intact)
      out.stdout(
        `The audit log is intact: ${r.entries} entries${r.unchained ? ` (${r.unchained} written before it was chained)` : ''}.\n`,
      );
    else {
      const b = r.broken!;
      const why = {
        'not-json': 'is not a readable entry',
        changed: 'was changed after it was written',
        link: 'does not follow the entry before it (one was removed, inserted or changed)',
        truncated: 'is not the last entry written: entries were removed from the end',
      }[b.reason];
      out.stderr(
        `smime-admin: the audit log is not intact: entry ${b.line}${b.action ? ` (${b.action}${b.at ? ` at ${b.at}` : ''})` : ''} ${why}\n`,
      );
    }
    return r.intact ? 0 : 1;
  }
  return unknownSubcommand('audit', 'show|verify', sub);
}
