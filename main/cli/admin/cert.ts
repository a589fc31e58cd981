/** `smime-admin cert …`: register, list, show, renew and remove certificates. */
import type { CertificateView } from '../../contract';
import { readInputFile } from '../../core/files';
import { MAX_P12_BYTES } from '../../core/engine/pkcs12';
import { parse, required, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { json, warningLine, withWarningText } from '../render';
import { printList, unknownSubcommand, usage, type AdminContext } from './context';

function certLine(c: CertificateView): string {
  const status =
    c.status === 'expiring'
      ? `expires in ${c.daysLeft} days`
      : c.status === 'valid'
        ? `valid, ${c.daysLeft} days left`
        : c.status;
  return `${c.email}  ${c.commonName}  (${c.issuerCommonName})  until ${c.notAfter.slice(0, 10)}  [${status}]${c.usedBy.length ? `  used by: ${c.usedBy.join(', ')}` : ''}`;
}

export async function certCommand(ctx: AdminContext, args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const ADD = 'smime-admin cert add --email ADDR --p12 FILE --password-env VAR [--json]';
  const RENEW = 'smime-admin cert renew --email ADDR --p12 FILE --password-env VAR';
  const REMOVE = 'smime-admin cert remove --email ADDR --admin-password-env VAR';
  switch (sub) {
    case 'add':
    case 'renew': {
      const u = sub === 'add' ? ADD : RENEW;
      const { values, positionals } = parse(
        rest,
        {
          email: { type: 'string' },
          p12: { type: 'string' },
          ...secretOptions('password'),
          json: { type: 'boolean' },
        },
        u,
      );
      if (positionals.length) usage(u, `unexpected argument ${positionals[0]}`);
      const email = required(values.email, '--email', u);
      const file = required(values.p12, '--p12', u);
      const password = secretFrom(values, 'password', u)!;
      const p12 = readInputFile(file, MAX_P12_BYTES, file);
      const svc = ctx.service();
      const view =
        sub === 'add'
          ? await svc.addCertificate({ email, p12, password, fileName: file })
          : await svc.renewCertificate({ email, p12, password, fileName: file });
      if (values.json) out.stdout(json(withWarningText(view)));
      else {
        out.stdout(`${sub === 'add' ? 'Registered' : 'Renewed'}: ${certLine(view)}\n`);
        for (const w of view.warnings.filter((x) => x.severity !== 'info')) out.stdout(`${warningLine(w)}\n`);
      }
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, 'smime-admin cert list [--json]');
      const hint =
        'No certificates registered. Add one with: smime-admin cert add --email ADDR --p12 FILE --password-env VAR';
      printList(out, values.json === true, ctx.service().listCertificates(), certLine, hint, withWarningText);
      return 0;
    }
    case 'show': {
      const u = 'smime-admin cert show ADDR [--json]';
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, u);
      if (positionals.length !== 1) usage(u);
      const c = ctx.service().getCertificate(positionals[0]!);
      if (values.json) out.stdout(json(withWarningText(c)));
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
            ...c.warnings.map(warningLine),
          ].join('\n') + '\n',
        );
      }
      return 0;
    }
    case 'remove': {
      const { values, positionals } = parse(
        rest,
        { email: { type: 'string' }, ...secretOptions('admin-password') },
        REMOVE,
      );
      if (positionals.length) usage(REMOVE, `unexpected argument ${positionals[0]}`);
      const email = required(values.email, '--email', REMOVE);
      const adminPassword = secretFrom(values, 'admin-password', REMOVE)!;
      await ctx.service().removeCertificate({ email, adminPassword });
      out.stdout(`Removed the certificate for ${email}\n`);
      return 0;
    }
    default:
      return unknownSubcommand('cert', 'add|list|show|renew|remove', sub);
  }
}
