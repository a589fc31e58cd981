/**
 * Administration commands: the management console's operations on the command line.
 * Forms are documented in the README and kept stable; secrets only through --*-env.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfStateStore } from '../adapters/conf-state-store';
import { KeytarSecretStore } from '../adapters/keytar-secret-store';
import { AdminService, SECRET_SERVICE, type CertificateView, type CompositionView, type PendingView } from '../core/domain/service';
import { openBundle, MAX_BUNDLE_BYTES } from '../core/relay/bundle';
import { defaultDataDir } from '../core/data-dir';
import { SmimeError } from '../core/errors';
import { readInputFile, writeFileAtomic } from '../core/files';
import { MAX_MESSAGE_BYTES } from '../core/engine/mime';
import { MAX_P12_BYTES } from '../core/engine/pkcs12';
import type { Decision } from '../core/relay/policy';
import type { Settings } from '../core/domain/state';
import { loadRelayConfig, relayMessage } from '../core/relay/pipeline';
import { parse, required, secretFromEnv } from './args';
import type { Output } from './output';

export const ADMIN_COMMANDS = new Set(['admin-password', 'cert', 'composition', 'exception', 'pending', 'reflect', 'bundle', 'send-test', 'settings']);

export const EX_TEMPFAIL = 75;

export interface AdminContext {
  dataDir: string;
  service: () => AdminService;
}

export function adminContext(dataDir = defaultDataDir()): AdminContext {
  let svc: AdminService | undefined;
  return {
    dataDir,
    service: () => (svc ??= new AdminService({ store: new ConfStateStore(dataDir), secrets: new KeytarSecretStore(SECRET_SERVICE), dataDir })),
  };
}

const json = (out: Output, v: unknown) => out.stdout(JSON.stringify(v, null, 2) + '\n');

function usage(u: string, extra = ''): never {
  throw new SmimeError('USAGE', `${extra ? extra + '; ' : ''}usage: ${u}`);
}

function certLine(c: CertificateView): string {
  const status = c.status === 'expiring' ? `expires in ${c.daysLeft} days` : c.status === 'valid' ? `valid, ${c.daysLeft} days left` : c.status;
  return `${c.email}  ${c.commonName}  (${c.issuerCommonName})  until ${c.notAfter.slice(0, 10)}  [${status}]${c.usedBy.length ? `  used by: ${c.usedBy.join(', ')}` : ''}`;
}

async function certCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const ADD = 'smime-admin cert add --email ADDR --p12 FILE --password-env VAR [--json]';
  const RENEW = 'smime-admin cert renew --email ADDR --p12 FILE --password-env VAR';
  const REMOVE = 'smime-admin cert remove --email ADDR --admin-password-env VAR';
  switch (sub) {
    case 'add':
    case 'renew': {
      const u = sub === 'add' ? ADD : RENEW;
      const { values, positionals } = parse(rest, { email: { type: 'string' }, p12: { type: 'string' }, 'password-env': { type: 'string' }, json: { type: 'boolean' } }, u);
      if (positionals.length) usage(u, `unexpected argument ${positionals[0]}`);
      const email = required(values.email, '--email', u);
      const file = required(values.p12, '--p12', u);
      const password = secretFromEnv(required(values['password-env'], '--password-env', u), '--password-env');
      const p12 = readInputFile(file, MAX_P12_BYTES, file);
      const svc = ctx.service();
      const view = sub === 'add' ? await svc.addCertificate({ email, p12, password, fileName: file }) : await svc.renewCertificate({ email, p12, password, fileName: file });
      if (values.json) json(out, view);
      else {
        out.stdout(`${sub === 'add' ? 'Registered' : 'Renewed'}: ${certLine(view)}\n`);
        for (const w of view.warnings.filter((x) => x.severity !== 'info')) out.stdout(`  [${w.severity}] ${w.message}\n`);
      }
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'smime-admin cert list [--json]');
      const list = ctx.service().listCertificates();
      if (values.json) json(out, list);
      else out.stdout(list.length ? list.map(certLine).join('\n') + '\n' : 'No certificates registered. Add one with: smime-admin cert add --email ADDR --p12 FILE --password-env VAR\n');
      return 0;
    }
    case 'show': {
      const u = 'smime-admin cert show ADDR [--json]';
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
      if (positionals.length !== 1) usage(u);
      const c = ctx.service().getCertificate(positionals[0]!);
      if (values.json) json(out, c);
      else {
        out.stdout(
          [
            `Address:      ${c.email}`,
            `Subject:      ${c.subject}`,
            `Issuer:       ${c.issuer}`,
            `Serial:       ${c.serial}`,
            `Valid:        ${c.notBefore} to ${c.notAfter}`,
            `Status:       ${c.status} (${c.daysLeft} days left)`,
            `Key:          ${c.keyType} ${c.keyBits}`,
            `SHA-256:      ${c.fingerprintSha256}`,
            `Chain:        ${c.chainLength}`,
            `Used by:      ${c.usedBy.join(', ') || '(no composition)'}`,
            ...c.warnings.map((w) => `  [${w.severity}] ${w.message}`),
          ].join('\n') + '\n',
        );
      }
      return 0;
    }
    case 'remove': {
      const { values, positionals } = parse(rest, { email: { type: 'string' }, 'admin-password-env': { type: 'string' } }, REMOVE);
      if (positionals.length) usage(REMOVE, `unexpected argument ${positionals[0]}`);
      const email = required(values.email, '--email', REMOVE);
      const adminPassword = secretFromEnv(required(values['admin-password-env'], '--admin-password-env', REMOVE), '--admin-password-env');
      await ctx.service().removeCertificate({ email, adminPassword });
      out.stdout(`Removed the certificate for ${email}\n`);
      return 0;
    }
    default:
      return usage('smime-admin cert add|list|show|renew|remove …', sub ? `unknown cert command "${sub}"` : 'missing cert command');
  }
}

function compositionLine(c: CompositionView): string {
  const on = c.certificates.filter((x) => x.enabled).map((x) => x.email);
  return `${c.name}${c.pending ? '  (pending changes)' : ''}  certificates: ${on.join(', ') || 'none'}  intelligent BCC: ${c.intelligentBcc ? 'on' : 'off'}`;
}

function showComposition(c: CompositionView): string {
  const lines = [
    `Composition:  ${c.name}${c.pending ? '  (pending changes: reflect to apply)' : ''}`,
    `Reflected:    ${c.lastReflection ? `${c.lastReflection.at} (${c.lastReflection.bundleFile})` : 'never'}`,
    `Intelligent BCC: ${c.intelligentBcc ? 'on (BCC copies are not signed)' : 'off'}`,
    'Certificates:',
    ...c.certificates.map((x) => `  [${x.enabled ? 'x' : ' '}] ${x.email}  ${x.status}`),
    'Exceptions by destination:',
    ...c.destinationExceptions.map((e) => `  #${e.id} ${e.enabled ? 'on ' : 'off'} ${e.pattern}${e.isDefault ? `  (default${e.note ? `: ${e.note}` : ''})` : ''}`),
    'Exceptions by header:',
    ...c.headerExceptions.map((e) => `  #${e.id} ${e.enabled ? 'on ' : 'off'} ${e.header}: ${e.pattern}${e.isDefault ? `  (default${e.note ? `: ${e.note}` : ''})` : ''}`),
  ];
  return lines.join('\n') + '\n';
}

async function compositionCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
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
        if (values.json) json(out, c);
        else out.stdout(showComposition(c));
      } else {
        const list = svc().listCompositions();
        if (values.json) json(out, list);
        else out.stdout(list.length ? list.map(compositionLine).join('\n') + '\n' : 'No compositions. Create one with: smime-admin composition create NAME\n');
      }
      return 0;
    }
    case 'enable-cert':
    case 'disable-cert': {
      const u = `smime-admin composition ${sub} NAME --email ADDR`;
      const { values, positionals } = parse(rest, { email: { type: 'string' } }, u);
      if (positionals.length !== 1) usage(u);
      const c = svc().setCertificateEnabled(positionals[0]!, required(values.email, '--email', u), sub === 'enable-cert');
      out.stdout(`${compositionLine(c)}\n`);
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
      return usage('smime-admin composition create|delete|rename|list|show|enable-cert|disable-cert|bcc …', sub ? `unknown composition command "${sub}"` : 'missing composition command');
  }
}

function exceptionId(s: string, u: string): number {
  if (!/^\d+$/.test(s)) usage(u, `"${s}" is not an exception id (a number shown by exception list)`);
  return Number(s);
}

async function exceptionCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
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
      if (values.json) json(out, { destination: c.destinationExceptions, header: c.headerExceptions });
      else out.stdout(showComposition(c).split('\n').filter((l) => /^(Exceptions|  #)/.test(l)).join('\n') + '\n');
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
      return usage('smime-admin exception add-destination|add-header|list|remove|disable|enable …', sub ? `unknown exception command "${sub}"` : 'missing exception command');
  }
}

function pendingText(list: PendingView[]): string {
  const lines: string[] = [];
  for (const p of list) {
    if (p.changes.length === 0) {
      lines.push(`${p.composition}: up to date (reflected ${p.lastReflectedAt})`);
      continue;
    }
    lines.push(`${p.composition}: ${p.changes.length} pending change${p.changes.length === 1 ? '' : 's'}${p.lastReflectedAt ? ` since ${p.lastReflectedAt}` : ''}`);
    for (const c of p.changes) lines.push(`  ${c.kind}: ${c.subject}`);
  }
  return lines.join('\n') + '\n';
}

async function bundleCommand(args: string[], out: Output, ctx: AdminContext): Promise<number> {
  const [sub, ...rest] = args;
  const u = `smime-admin bundle ${sub ?? 'inspect|import'} BUNDLE --passphrase-env VAR${sub === 'inspect' ? ' [--json]' : ''}`;
  if (sub !== 'inspect' && sub !== 'import') return usage('smime-admin bundle inspect|import BUNDLE --passphrase-env VAR', sub ? `unknown bundle command "${sub}"` : 'missing bundle command');
  const { values, positionals } = parse(rest, { 'passphrase-env': { type: 'string' }, json: { type: 'boolean' } }, u);
  if (positionals.length !== 1) usage(u);
  const file = positionals[0]!;
  const passphrase = secretFromEnv(required(values['passphrase-env'], '--passphrase-env', u), '--passphrase-env');
  const bytes = readInputFile(file, MAX_BUNDLE_BYTES, file);
  if (sub === 'import') {
    const r = await ctx.service().importBundle(bytes, passphrase, basename(file));
    if (values.json) json(out, r);
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
  if (values.json) json(out, info);
  else {
    const c = info.composition;
    out.stdout(
      [
        `Bundle:       ${file} (sha256 ${info.fingerprintSha256})`,
        `Composition:  ${c.name}`,
        `Created:      ${info.createdAt} by ${info.createdBy}`,
        `Intelligent BCC: ${c.intelligentBcc ? 'on' : 'off'}`,
        `Certificates: ${info.certificates.map((x) => `${x.email} (until ${x.notAfter.slice(0, 10)})`).join(', ') || 'none'}`,
        `Destination exceptions: ${c.destinationExceptions.filter((e) => e.enabled).length} on, ${c.destinationExceptions.filter((e) => !e.enabled).length} off`,
        `Header exceptions: ${c.headerExceptions.filter((e) => e.enabled).length} on, ${c.headerExceptions.filter((e) => !e.enabled).length} off`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

function settingsText(st: Settings): string {
  return `Expiry warnings: ${st.warnDays.join(' and ')} days before expiry\nLanguage: ${st.language ?? 'system default'}\n`;
}

function decisionLine(d: Decision): string {
  if (d.action === 'sign') return `${d.recipient}: sign with ${d.certificate!.email} (${d.certificate!.fingerprintSha256})`;
  if (d.action === 'reject') return `${d.recipient}: reject ${d.smtpCode} ${d.smtpText}`;
  return `${d.recipient}: unsigned (${d.reason}: ${d.detail})`;
}

function safeFileName(addr: string): string {
  return addr.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 100);
}

async function sendTestCommand(args: string[], out: Output): Promise<number> {
  const u =
    'smime-admin send-test --bundle BUNDLE --passphrase-env VAR --composition NAME --in MSG.eml --mail-from ADDR --rcpt ADDR [--rcpt ADDR ...] [--bcc-copy ADDR ...] --out-dir DIR [--json] [--at ISO-TIME]';
  const { values, positionals } = parse(
    args,
    {
      bundle: { type: 'string' },
      'passphrase-env': { type: 'string' },
      composition: { type: 'string' },
      in: { type: 'string' },
      'mail-from': { type: 'string' },
      rcpt: { type: 'string', multiple: true },
      'bcc-copy': { type: 'string', multiple: true },
      'out-dir': { type: 'string' },
      json: { type: 'boolean' },
      at: { type: 'string' },
    },
    u,
  );
  if (positionals.length) usage(u, `unexpected argument ${positionals[0]}`);
  const bundlePath = required(values.bundle, '--bundle', u);
  const name = required(values.composition, '--composition', u);
  const inPath = required(values.in, '--in', u);
  const mailFrom = typeof values['mail-from'] === 'string' ? values['mail-from'] : usage(u, 'missing --mail-from');
  const outDir = required(values['out-dir'], '--out-dir', u);
  const rcpts = (values.rcpt as string[] | undefined) ?? [];
  const bccCopies = (values['bcc-copy'] as string[] | undefined) ?? [];
  if (rcpts.length + bccCopies.length === 0) usage(u, 'give at least one --rcpt');
  let at = new Date();
  if (values.at) {
    at = new Date(values.at as string);
    if (Number.isNaN(at.getTime())) usage(u, `--at "${values.at}" is not an ISO 8601 time`);
  }
  const passphrase = secretFromEnv(required(values['passphrase-env'], '--passphrase-env', u), '--passphrase-env');
  const config = loadRelayConfig(readInputFile(bundlePath, MAX_BUNDLE_BYTES, bundlePath), passphrase, bundlePath);
  if (config.policy.name.toLowerCase() !== name.trim().toLowerCase()) {
    throw new SmimeError('COMPOSITION_NOT_FOUND', `${bundlePath} holds composition "${config.policy.name}", not "${name.trim()}"`);
  }
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const envelope = { mailFrom, recipients: [...rcpts.map((address) => ({ address })), ...bccCopies.map((address) => ({ address, bccCopy: true }))] };
  const result = relayMessage(config, message, envelope, at);
  mkdirSync(outDir, { recursive: true });
  let n = 0;
  for (const d of result.deliveries) {
    for (const r of d.recipients) writeFileAtomic(join(outDir, `${String(++n).padStart(3, '0')}-${safeFileName(r)}.eml`), d.message);
  }
  if (values.json) {
    json(
      out,
      result.decisions.map((d) => ({
        recipient: d.recipient,
        action: d.action,
        reason: d.reason,
        detail: d.detail,
        smtpCode: d.smtpCode ?? null,
        ...(d.smtpText ? { smtpText: d.smtpText } : {}),
        certificateFingerprint: d.certificate?.fingerprintSha256 ?? null,
      })),
    );
  } else out.stdout(result.decisions.map(decisionLine).join('\n') + '\n');
  const rejected = result.decisions.filter((d) => d.action === 'reject');
  if (rejected.length > 0) {
    for (const d of rejected) out.stderr(`${d.smtpCode} ${d.smtpText} (${d.recipient})\n`);
    return EX_TEMPFAIL;
  }
  return 0;
}

export async function runAdminCommand(command: string, args: string[], out: Output, ctx: AdminContext): Promise<number> {
  switch (command) {
    case 'admin-password': {
      const u = 'smime-admin admin-password set --password-env VAR [--current-env VAR]';
      const [sub, ...rest] = args;
      if (sub !== 'set') usage(u);
      const { values, positionals } = parse(rest, { 'password-env': { type: 'string' }, 'current-env': { type: 'string' } }, u);
      if (positionals.length) usage(u);
      const pw = secretFromEnv(required(values['password-env'], '--password-env', u), '--password-env');
      const current = values['current-env'] ? secretFromEnv(values['current-env'] as string, '--current-env') : undefined;
      ctx.service().setAdminPassword(pw, current);
      out.stdout('Admin password set\n');
      return 0;
    }
    case 'cert':
      return certCommand(ctx, args, out);
    case 'composition':
      return compositionCommand(ctx, args, out);
    case 'exception':
      return exceptionCommand(ctx, args, out);
    case 'pending': {
      const u = 'smime-admin pending [NAME] [--json]';
      const { values, positionals } = parse(args, { json: { type: 'boolean' } }, u);
      if (positionals.length > 1) usage(u);
      const list = ctx.service().pending(positionals[0]);
      if (values.json) json(out, list);
      else out.stdout(list.length ? pendingText(list) : 'No compositions.\n');
      return 0;
    }
    case 'reflect': {
      const u = 'smime-admin reflect NAME --out BUNDLE --passphrase-env VAR';
      const { values, positionals } = parse(args, { out: { type: 'string' }, 'passphrase-env': { type: 'string' }, json: { type: 'boolean' } }, u);
      if (positionals.length !== 1) usage(u);
      const outPath = required(values.out, '--out', u);
      const passphrase = secretFromEnv(required(values['passphrase-env'], '--passphrase-env', u), '--passphrase-env');
      const r = await ctx.service().reflect(positionals[0]!, passphrase, outPath);
      if (values.json) json(out, r);
      else {
        out.stdout(`Reflected "${r.composition}": ${r.file} (${r.size} bytes, sha256 ${r.fingerprintSha256}, ${r.certificates} certificate${r.certificates === 1 ? '' : 's'})\n`);
        for (const w of r.warnings) out.stdout(`  warning: ${w}\n`);
      }
      return 0;
    }
    case 'bundle':
      return bundleCommand(args, out, ctx);
    case 'send-test':
      return sendTestCommand(args, out);
    case 'settings': {
      const u = 'smime-admin settings show [--json] | settings set [--warn-days N[,N]] [--language en|ja|system]';
      const [sub, ...rest] = args;
      if (sub === 'show') {
        const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
        if (positionals.length) usage(u);
        const st = ctx.service().getSettings();
        if (values.json) json(out, st);
        else out.stdout(settingsText(st));
        return 0;
      }
      if (sub !== 'set') return usage(u);
      const { values, positionals } = parse(rest, { 'warn-days': { type: 'string' }, language: { type: 'string' } }, u);
      if (positionals.length || (!values['warn-days'] && !values.language)) usage(u);
      const patch: { warnDays?: number[]; language?: 'en' | 'ja' | null } = {};
      if (typeof values['warn-days'] === 'string') {
        const days = values['warn-days'].split(',').map((d) => Number(d.trim()));
        if (days.some((d) => !Number.isInteger(d))) usage(u, `--warn-days "${values['warn-days']}" is not a list of whole numbers`);
        patch.warnDays = days;
      }
      if (typeof values.language === 'string') {
        if (!['en', 'ja', 'system'].includes(values.language)) usage(u, `--language must be en, ja or system`);
        patch.language = values.language === 'system' ? null : (values.language as 'en' | 'ja');
      }
      out.stdout(settingsText(ctx.service().updateSettings(patch)));
      return 0;
    }
    default:
      return usage('smime-admin --help', `unknown command "${command}"`);
  }
}
