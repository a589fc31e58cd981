/** `smime-admin composition …` and `exception …`: relay configurations and their exceptions. */
import type { CompositionView } from '../../contract';
import { parse, required } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { printList, unknownSubcommand, usage, type AdminContext } from './context';

function compositionLine(c: CompositionView): string {
  const on = c.certificates.filter((x) => x.enabled).map((x) => x.email);
  return `${c.name}${c.pending ? '  (pending changes)' : ''}  certificates: ${on.join(', ') || 'none'}  intelligent BCC: ${c.intelligentBcc ? 'on' : 'off'}`;
}

/** The composition as text; `all` lists every registered certificate, checked or not. */
function showComposition(
  c: CompositionView,
  all: { id: string; email: string; status: string }[] = c.certificates,
): string {
  const checked = new Set(c.certificates.map((x) => x.id));
  const lines = [
    `Composition:  ${c.name}${c.pending ? '  (pending changes: reflect to apply)' : ''}`,
    `Reflected:    ${c.lastReflection ? `${c.lastReflection.at} (${c.lastReflection.bundleFile})` : 'never'}`,
    `Intelligent BCC: ${c.intelligentBcc ? 'on (BCC copies are not signed)' : 'off'}`,
    'Certificates:',
    ...all.map((x) => `  [${checked.has(x.id) ? 'x' : ' '}] ${x.email}  ${x.status}`),
    'Exceptions by destination:',
    ...c.destinationExceptions.map(
      (e) =>
        `  #${e.id} ${e.enabled ? 'on ' : 'off'} ${e.pattern}${e.isDefault ? `  (default${e.note ? `: ${e.note}` : ''})` : ''}`,
    ),
    'Exceptions by header:',
    ...c.headerExceptions.map(
      (e) =>
        `  #${e.id} ${e.enabled ? 'on ' : 'off'} ${e.header}: ${e.pattern}${e.isDefault ? `  (default${e.note ? `: ${e.note}` : ''})` : ''}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

export async function compositionCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const svc = () => ctx.service();
  switch (sub) {
    case 'create':
    case 'delete': {
      const u = `smime-admin composition ${sub} NAME`;
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 1) usage(u);
      if (sub === 'create') svc().createComposition(positionals[0]!);
      else svc().deleteComposition(positionals[0]!);
      out.stdout(`${sub === 'create' ? 'Created' : 'Deleted'} composition "${positionals[0]!.trim()}"\n`);
      return 0;
    }
    case 'rename': {
      const u = 'smime-admin composition rename OLD NEW';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 2) usage(u);
      svc().renameComposition(positionals[0]!, positionals[1]!);
      out.stdout(`Renamed "${positionals[0]}" to "${positionals[1]}"\n`);
      return 0;
    }
    case 'list':
    case 'show': {
      const u = 'smime-admin composition list|show [NAME] [--json]';
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
      if (positionals.length > 1) usage(u);
      if (positionals[0]) {
        const c = svc().getComposition(positionals[0]);
        if (values.json) jsonOut(out, c);
        else out.stdout(showComposition(c, svc().listCertificates()));
      } else {
        const hint = 'No compositions. Create one with: smime-admin composition create NAME';
        printList(out, values.json === true, svc().listCompositions(), compositionLine, hint);
      }
      return 0;
    }
    case 'enable-cert':
    case 'disable-cert': {
      const u = `smime-admin composition ${sub} NAME --email ADDR`;
      const { values, positionals } = parse(rest, { email: { type: 'string' } }, u);
      if (positionals.length !== 1) usage(u);
      const c = svc().setCertificateEnabled(
        positionals[0]!,
        required(values.email, '--email', u),
        sub === 'enable-cert',
      );
      out.stdout(`${compositionLine(c)}\n`);
      return 0;
    }
    case 'publish': {
      const u = 'smime-admin composition publish NAME FOLDER|off';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 2) usage(u);
      const c = svc().setPublishDir(positionals[0]!, positionals[1] === 'off' ? null : positionals[1]!);
      out.stdout(
        c.publishDir ? `"${c.name}" is published to ${c.publishDir}\n` : `"${c.name}" is not published to a folder\n`,
      );
      return 0;
    }
    case 'servers': {
      const u = 'smime-admin composition servers NAME [STATUS-URL ...]   (no URL: none)';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length < 1) usage(u);
      const c = svc().setServers(positionals[0]!, positionals.slice(1));
      out.stdout(
        c.servers.length ? `"${c.name}" runs on: ${c.servers.join(', ')}\n` : `"${c.name}" lists no servers\n`,
      );
      return 0;
    }
    case 'bcc': {
      const u = 'smime-admin composition bcc NAME on|off';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 2 || !['on', 'off'].includes(positionals[1]!)) usage(u);
      const c = svc().setIntelligentBcc(positionals[0]!, positionals[1] === 'on');
      out.stdout(`${compositionLine(c)}\n`);
      return 0;
    }
    default:
      return unknownSubcommand(
        'composition',
        'create|delete|rename|list|show|enable-cert|disable-cert|bcc|publish|servers',
        sub,
      );
  }
}

function exceptionId(s: string, u: string): number {
  if (!/^\d+$/.test(s)) usage(u, `"${s}" is not an exception id (a number shown by exception list)`);
  return Number(s);
}

export async function exceptionCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const svc = ctx.service();
  switch (sub) {
    case 'add-destination': {
      const u = 'smime-admin exception add-destination NAME PATTERN';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 2) usage(u);
      const e = svc.addDestinationException(positionals[0]!, positionals[1]!);
      out.stdout(`Added destination exception #${e.id}: ${e.pattern}\n`);
      return 0;
    }
    case 'add-header': {
      const u = 'smime-admin exception add-header NAME HEADER-NAME VALUE-PATTERN';
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 3) usage(u);
      const e = svc.addHeaderException(positionals[0]!, positionals[1]!, positionals[2]!);
      out.stdout(`Added header exception #${e.id}: ${e.header}: ${e.pattern}\n`);
      return 0;
    }
    case 'list': {
      const u = 'smime-admin exception list NAME [--json]';
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
      if (positionals.length !== 1) usage(u);
      const c = svc.getComposition(positionals[0]!);
      if (values.json) jsonOut(out, { destination: c.destinationExceptions, header: c.headerExceptions });
      else
        out.stdout(
          showComposition(c)
            .split('\n')
            .filter((l) => /^(Exceptions|  #)/.test(l))
            .join('\n') + '\n',
        );
      return 0;
    }
    case 'remove':
    case 'disable':
    case 'enable': {
      const u = `smime-admin exception ${sub} NAME ID`;
      const { positionals } = parse(rest, {}, u);
      if (positionals.length !== 2) usage(u);
      const id = exceptionId(positionals[1]!, u);
      if (sub === 'remove') svc.removeException(positionals[0]!, id);
      else svc.setExceptionEnabled(positionals[0]!, id, sub === 'enable');
      out.stdout(`Exception #${id} ${sub === 'remove' ? 'removed' : sub + 'd'}\n`);
      return 0;
    }
    default:
      return unknownSubcommand('exception', 'add-destination|add-header|list|remove|disable|enable', sub);
  }
}

function jsonOut(out: Output, v: unknown): void {
  out.stdout(json(v));
}
