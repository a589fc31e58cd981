/** `smime-admin pending`, `reflect` and `bundle inspect|import`: what goes to the servers, and what comes back. */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { PendingView } from '../../contract';
import { openBundle, MAX_BUNDLE_BYTES } from '../../core/relay/bundle';
import { readInputFile } from '../../core/files';
import { parse, required, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { json, reflectWarningLine } from '../render';
import { usage, type AdminContext } from './context';

function pendingText(list: PendingView[]): string {
  const lines: string[] = [];
  for (const p of list) {
    if (p.changes.length === 0) {
      lines.push(`${p.composition}: up to date (reflected ${p.lastReflectedAt})`);
      continue;
    }
    const n = p.changes.length;
    lines.push(
      `${p.composition}: ${n} pending change${n === 1 ? '' : 's'}${p.lastReflectedAt ? ` since ${p.lastReflectedAt}` : ''}`,
    );
    for (const c of p.changes) lines.push(`  ${c.kind}: ${c.subject}`);
  }
  return lines.join('\n') + '\n';
}

export function pendingCommand(ctx: AdminContext, args: string[], out: Output): number {
  const u = 'smime-admin pending [NAME] [--json]';
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, u);
  if (positionals.length > 1) usage(u);
  const list = ctx.service().pending(positionals[0]);
  if (values.json) out.stdout(json(list));
  else out.stdout(list.length ? pendingText(list) : 'No compositions.\n');
  return 0;
}

export async function reflectCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const u = 'smime-admin reflect NAME --out BUNDLE --passphrase-env VAR';
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, ...secretOptions('passphrase'), json: { type: 'boolean' } },
    u,
  );
  if (positionals.length !== 1) usage(u);
  const outPath = required(values.out, '--out', u);
  const passphrase = secretFrom(values, 'passphrase', u)!;
  const r = await ctx.service().reflect(positionals[0]!, passphrase, outPath);
  if (values.json) out.stdout(json(r));
  else {
    const n = r.certificates;
    out.stdout(
      `Reflected "${r.composition}": ${r.file} (${r.size} bytes, sha256 ${r.fingerprintSha256}, ${n} certificate${n === 1 ? '' : 's'})\n`,
    );
    for (const w of r.warnings) out.stdout(`${reflectWarningLine(w)}\n`);
  }
  return 0;
}

export async function bundleCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'inspect' && sub !== 'import') {
    return usage(
      'smime-admin bundle inspect|import BUNDLE --passphrase-env VAR',
      sub ? `unknown bundle command "${sub}"` : 'missing bundle command',
    );
  }
  const u =
    sub === 'inspect'
      ? 'smime-admin bundle inspect BUNDLE --passphrase-env VAR [--json]'
      : 'smime-admin bundle import BUNDLE --passphrase-env VAR [--discard-pending] [--allow-older] [--json]';
  const common = { ...secretOptions('passphrase'), json: { type: 'boolean' } } as const;
  const importOnly = { 'discard-pending': { type: 'boolean' }, 'allow-older': { type: 'boolean' } } as const;
  const { values, positionals } = parse(rest, sub === 'import' ? { ...common, ...importOnly } : { ...common }, u);
  if (positionals.length !== 1) usage(u);
  const file = positionals[0]!;
  const passphrase = secretFrom(values, 'passphrase', u)!;
  const bytes = readInputFile(file, MAX_BUNDLE_BYTES, file);
  if (sub === 'import') {
    const v = values as Record<string, unknown>;
    const opts = { discardPending: v['discard-pending'] === true, allowOlder: v['allow-older'] === true };
    const r = await ctx.service().importBundle(bytes, passphrase, basename(file), opts);
    if (values.json) out.stdout(json(r));
    else
      out.stdout(
        `${r.created ? 'Created' : 'Updated'} composition "${r.composition}" from ${file}\n` +
          (r.certificatesAdded.length ? `  certificates added: ${r.certificatesAdded.join(', ')}\n` : '') +
          (r.certificatesUpdated.length ? `  certificates updated: ${r.certificatesUpdated.join(', ')}\n` : '') +
          (r.certificatesUnchanged.length ? `  certificates unchanged: ${r.certificatesUnchanged.join(', ')}\n` : ''),
      );
    return 0;
  }
  const opened = openBundle(bytes, passphrase, file);
  const info = {
    fingerprintSha256: createHash('sha256').update(bytes).digest('hex'),
    ...opened.payload,
    certificates: opened.certificates.map(({ p12: _p, password: _w, ...pub }) => pub),
  };
  if (values.json) out.stdout(json(info));
  else {
    const c = info.composition;
    const count = (xs: { enabled: boolean }[]) =>
      `${xs.filter((e) => e.enabled).length} on, ${xs.filter((e) => !e.enabled).length} off`;
    out.stdout(
      [
        `Bundle:       ${file} (sha256 ${info.fingerprintSha256})`,
        `Composition:  ${c.name} (id ${c.id}, reflection ${info.serial})`,
        `Created:      ${info.createdAt} by ${info.createdBy}`,
        `Intelligent BCC: ${c.intelligentBcc ? 'on' : 'off'}`,
        `Certificates: ${info.certificates.map((x) => `${x.email} (until ${x.notAfter.slice(0, 10)})`).join(', ') || 'none'}`,
        `Destination exceptions: ${count(c.destinationExceptions)}`,
        `Header exceptions: ${count(c.headerExceptions)}`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}
