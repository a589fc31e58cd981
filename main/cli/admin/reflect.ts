/**
 * `smime-admin pending`, `reflect` (review, confirm, write, publish; one or all; re-export),
 * `history` and `servers`: what goes to the mail servers, and whether it is in effect there.
 */
import { readSync } from 'node:fs';
import type { CompositionServers, HistoryEntry, PendingView, ReflectResult, ReflectReview } from '../../contract';
import { reflectWarningText, warningText } from '../../contract/messages';
import { SmimeError } from '../../core/errors';
import { checkPassphrase } from '../../core/relay/bundle';
import { summarise } from '../../core/domain/reflection';
import { parse, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { unknownSubcommand, usage, type AdminContext } from './context';

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

/** The review as an admin reads it before anything is written. */
export function reviewText(r: ReflectReview): string {
  const on = <T extends { enabled: boolean }>(xs: T[]) => xs.filter((x) => x.enabled);
  const lines = [
    `Reflecting "${r.composition.name}"${r.lastReflection ? ` (last: reflection ${r.lastReflection.serial ?? '?'} at ${r.lastReflection.at})` : ' (never reflected)'}`,
    `Certificates (${r.certificates.length}):`,
    ...r.certificates.map((c) => `  ${c.email}  until ${c.notAfter.slice(0, 10)}  [${c.status}]`),
    ...r.certificates.flatMap((c) =>
      c.warnings.filter((w) => w.severity === 'error').map((w) => `    ${c.email}: ${warningText(w)}`),
    ),
    `Exceptions by destination: ${on(r.destinationExceptions).length} on`,
    ...on(r.destinationExceptions)
      .filter((e) => !e.isDefault)
      .map((e) => `  #${e.id} ${e.pattern}`),
    `Exceptions by header: ${on(r.headerExceptions).length} on`,
    ...on(r.headerExceptions)
      .filter((e) => !e.isDefault)
      .map((e) => `  #${e.id} ${e.header}: ${e.pattern}`),
    `Intelligent BCC: ${r.intelligentBcc ? 'on' : 'off'}`,
    `Changes since the last reflection: ${r.changes.length === 0 ? 'none' : ''}`,
    ...r.changes.map((c) => `  ${c.kind}: ${c.subject}`),
    ...(r.publishDir ? [`Published to: ${r.publishDir}`] : []),
  ];
  if (r.confirmations.length > 0) {
    lines.push('Needs your confirmation:', ...r.confirmations.map((w) => `  warning: ${reflectWarningText(w)}`));
  }
  return lines.join('\n') + '\n';
}

/** Asks on the terminal; a run without one (a script, CI) must say --yes. */
function confirmOnTerminal(out: Output, question: string): boolean {
  if (!process.stdin.isTTY) return false;
  out.stderr(`${question} [y/N] `);
  const buf = Buffer.alloc(16);
  let n = 0;
  try {
    n = readSync(0, buf, 0, buf.length, null);
  } catch {
    return false;
  }
  return /^y(es)?\s*$/i.test(buf.subarray(0, n).toString());
}

function resultLine(r: ReflectResult): string {
  const n = r.certificates;
  return (
    `Reflected "${r.composition}" (reflection ${r.serial}): ${r.file} (${r.size} bytes, sha256 ${r.fingerprintSha256}, ${n} certificate${n === 1 ? '' : 's'})` +
    (r.published && r.published !== r.file ? `\n  published: ${r.published}` : '') +
    '\n'
  );
}

export async function reflectCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const u =
    'smime-admin reflect NAME [--out BUNDLE-OR-FOLDER] --passphrase-env VAR [--yes] [--overwrite] [--reexport N] [--json] | reflect NAME --review [--json] | reflect --all [--out FOLDER] --passphrase-env VAR [--yes] [--json]';
  const { values, positionals } = parse(
    args,
    {
      out: { type: 'string' },
      ...secretOptions('passphrase'),
      json: { type: 'boolean' },
      yes: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      review: { type: 'boolean' },
      all: { type: 'boolean' },
      reexport: { type: 'string' },
    },
    u,
  );
  const svc = ctx.service();
  if (values.all) {
    if (positionals.length) usage(u, '--all takes no composition name');
    const passphrase = secretFrom(values, 'passphrase', u)!;
    checkPassphrase(passphrase);
    const names = svc
      .pending()
      .filter((p) => p.changes.length > 0)
      .map((p) => p.composition);
    const reviews = names.map((n) => svc.reviewReflection(n));
    if (!values.json) for (const r of reviews) out.stdout(reviewText(r));
    const needs = reviews.some((r) => r.confirmations.length > 0);
    const confirmed = values.yes === true || (needs && confirmOnTerminal(out, 'Reflect all of these?'));
    if (needs && !confirmed) {
      throw new SmimeError(
        'REFLECT_NOT_CONFIRMED',
        'some reflections need confirmation (see above); run again with --yes to reflect them',
      );
    }
    const results = await svc.reflectAll(passphrase, values.out ?? null, { confirm: 'all' });
    if (values.json) out.stdout(json(results));
    else
      out.stdout(
        results.length ? results.map(resultLine).join('') : 'Nothing to reflect: every composition is up to date.\n',
      );
    return 0;
  }
  if (positionals.length !== 1) usage(u);
  const name = positionals[0]!;
  if (values.review) {
    const r = svc.reviewReflection(name);
    out.stdout(values.json ? json(r) : reviewText(r));
    return 0;
  }
  let reexportOf: number | undefined;
  if (values.reexport !== undefined) {
    if (!/^\d{1,7}$/.test(values.reexport))
      usage(u, `--reexport "${values.reexport}" is not a reflection number (see: smime-admin history ${name})`);
    reexportOf = Number(values.reexport);
  }
  const passphrase = secretFrom(values, 'passphrase', u)!;
  checkPassphrase(passphrase);
  // a re-export is confirmed for what it sends: the earlier reflection's settings
  const review = svc.reviewReflection(name, reexportOf);
  if (review.confirmations.length > 0) {
    if (!values.json) out.stdout(reviewText(review));
    const confirmed = values.yes === true || confirmOnTerminal(out, 'Reflect anyway?');
    if (!confirmed) {
      throw new SmimeError(
        'REFLECT_NOT_CONFIRMED',
        `reflecting "${review.composition.name}" needs confirmation: ${summarise(review.confirmations)}; run again with --yes`,
      );
    }
  }
  if (values.out === undefined && !review.publishDir)
    usage(u, `"${review.composition.name}" has no publish folder: give --out`);
  const r = await svc.reflect(name, passphrase, values.out ?? null, undefined, {
    confirm: review.confirmationKeys,
    overwrite: values.overwrite === true,
    ...(reexportOf !== undefined ? { reexportOf } : {}),
  });
  out.stdout(values.json ? json(r) : resultLine(r));
  return 0;
}

function historyLine(h: HistoryEntry): string {
  const what = h.changes.length ? h.changes.map((c) => c.kind).join(', ') : 'no change';
  return `${h.serial}  ${h.at}  ${h.by}  ${h.file}  sha256 ${h.fingerprintSha256.slice(0, 16)}…  ${what}${h.reexportOf ? `  (re-export of ${h.reexportOf})` : ''}`;
}

export function historyCommand(ctx: AdminContext, args: string[], out: Output): number {
  const u = 'smime-admin history NAME [--json]';
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, u);
  if (positionals.length !== 1) usage(u);
  const list = ctx.service().history(positionals[0]!);
  if (values.json) out.stdout(json(list));
  else out.stdout(list.length ? list.map(historyLine).join('\n') + '\n' : 'Never reflected.\n');
  return 0;
}

function serversText(list: CompositionServers[]): string {
  const lines: string[] = [];
  for (const c of list) {
    lines.push(
      `${c.composition}: ${c.inEffect ? 'in effect' : 'NOT in effect'} (latest reflection ${c.latestSerial ?? 'none'})`,
    );
    for (const s of c.servers) {
      if (!s.reachable) lines.push(`  ${s.url}  unreachable (${s.reason ?? 'other'}): ${s.error}`);
      else
        lines.push(
          `  ${s.url}  runs reflection ${s.serial ?? '?'}${s.current ? ' (latest)' : ''}${s.loadedAt ? `, loaded ${s.loadedAt}` : ''}${s.lastReloadError ? `; last reload failed: ${s.lastReloadError}` : ''}`,
        );
    }
  }
  return lines.length
    ? lines.join('\n') + '\n'
    : 'No composition lists servers. Add them with: smime-admin composition servers NAME URL...\n';
}

export async function serversCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'status') return unknownSubcommand('servers', 'status', sub);
  const u = 'smime-admin servers status [NAME] [--json]';
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
  if (positionals.length > 1) usage(u);
  const list = await ctx.service().serversStatus(positionals[0]);
  out.stdout(values.json ? json(list) : serversText(list));
  return list.every((c) => c.inEffect) ? 0 : 1;
}
