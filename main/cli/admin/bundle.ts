/** `smime-admin bundle inspect|import`: what a bundle holds, and bringing it in. */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { openBundle, MAX_BUNDLE_BYTES } from '../../core/relay/bundle';
import { readInputFile } from '../../core/files';
import { parse, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { json } from '../render';
import { usage, type AdminContext } from './context';

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
      : 'smime-admin bundle import BUNDLE --passphrase-env VAR [--preview] [--discard-pending] [--allow-older] [--json]';
  const common = { ...secretOptions('passphrase'), json: { type: 'boolean' } } as const;
  const importOnly = {
    'discard-pending': { type: 'boolean' },
    'allow-older': { type: 'boolean' },
    preview: { type: 'boolean' },
  } as const;
  const { values, positionals } = parse(rest, sub === 'import' ? { ...common, ...importOnly } : { ...common }, u);
  if (positionals.length !== 1) usage(u);
  const file = positionals[0]!;
  const passphrase = secretFrom(values, 'passphrase', u)!;
  const bytes = readInputFile(file, MAX_BUNDLE_BYTES, file);
  if (sub === 'import' && (values as Record<string, unknown>).preview === true) {
    const p = ctx.service().previewImport(bytes, passphrase, basename(file));
    if (values.json) out.stdout(json(p));
    else {
      const lines = [
        `Importing ${file} would ${p.createsComposition ? 'create' : 'update'} composition "${p.composition}" (reflection ${p.serial}${p.older ? ', OLDER than the last reflection here' : ''})`,
        ...p.certificatesAdded.map((e) => `  certificate added: ${e}`),
        ...p.certificatesUpdated.map((e) => `  certificate replaced: ${e}`),
        ...p.changes.map((c) => `  ${c.kind}: ${c.subject}`),
        ...p.discardsPending.map((c) => `  DISCARDS local change not yet reflected: ${c.kind}: ${c.subject}`),
      ];
      out.stdout(lines.join('\n') + '\n');
    }
    return 0;
  }
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
