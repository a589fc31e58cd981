import { X509Certificate } from 'node:crypto';
import { inspectIdentity, type CertificateInfo } from '../core/engine/certificate';
import { SmimeError } from '../core/errors';
import { readInputFile, writeFileAtomic } from '../core/files';
import { MAX_MESSAGE_BYTES } from '../core/engine/mime';
import { MAX_P12_BYTES, openPkcs12 } from '../core/engine/pkcs12';
import { signMessage, verifyMessage } from '../core/engine/smime';
import { parse, required, secretFromEnv } from './args';
import type { Output } from './output';
import { json, verifyJson, warningLine, withWarningText } from './render';
import { verifyFailureText } from '../contract';

const INSPECT = 'smime-admin inspect FILE.p12 --password-env VAR [--json]';
const SIGN = 'smime-admin sign --p12 FILE.p12 --password-env VAR --in MSG.eml --out SIGNED.eml';
const VERIFY = 'smime-admin verify --in SIGNED.eml [--ca ROOT.pem] [--json]';

export function formatCertificate(info: CertificateInfo): string {
  const lines = [
    `Addresses:    ${info.emails.join(', ') || '(none)'}`,
    `Subject:      ${info.subject}`,
    `Issuer:       ${info.issuer}`,
    `Serial:       ${info.serial}`,
    `Valid:        ${info.notBefore} to ${info.notAfter}`,
    `Key:          ${info.keyType} ${info.keyBits}${info.curve ? ` (${info.curve})` : ''}`,
    `SHA-256:      ${info.fingerprintSha256}`,
    `Key usage:    ${info.keyUsage.join(', ') || '(not restricted)'}`,
    `Ext. usage:   ${info.extendedKeyUsage.join(', ') || '(none)'}`,
    `Chain:        ${info.chainLength} certificate${info.chainLength === 1 ? '' : 's'} in the file${info.chain.map((c) => `\n              - ${c.subject}`).join('')}`,
    `Tested CA:    ${info.testedIssuer ?? 'no'}`,
  ];
  if (info.warnings.length > 0) {
    lines.push('Warnings:');
    for (const w of info.warnings) lines.push(warningLine(w));
  }
  return lines.join('\n') + '\n';
}

export function inspectCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(
    args,
    { 'password-env': { type: 'string' }, json: { type: 'boolean' }, 'warn-days': { type: 'string' } },
    INSPECT,
  );
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new SmimeError('USAGE', `give exactly one PKCS#12 file; usage: ${INSPECT}`);
  const password = secretFromEnv(required(values['password-env'], '--password-env', INSPECT), '--password-env');
  const id = openPkcs12(readInputFile(file, MAX_P12_BYTES, file), password, file);
  const info = inspectIdentity(id, values['warn-days'] ? { warnDays: Number(values['warn-days']) } : {});
  out.stdout(values.json ? json(withWarningText(info)) : formatCertificate(info));
  return 0;
}

export function signCommand(args: string[], _out: Output): number {
  const { values, positionals } = parse(
    args,
    { p12: { type: 'string' }, 'password-env': { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } },
    SIGN,
  );
  if (positionals.length > 0) throw new SmimeError('USAGE', `unexpected argument ${positionals[0]}; usage: ${SIGN}`);
  const p12Path = required(values.p12, '--p12', SIGN);
  const inPath = required(values.in, '--in', SIGN);
  const outPath = required(values.out, '--out', SIGN);
  const password = secretFromEnv(required(values['password-env'], '--password-env', SIGN), '--password-env');
  const id = openPkcs12(readInputFile(p12Path, MAX_P12_BYTES, p12Path), password, p12Path);
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const signed = signMessage(message, id);
  writeFileAtomic(outPath, signed);
  return 0;
}

export function verifyCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(
    args,
    { in: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' } },
    VERIFY,
  );
  if (positionals.length > 0) throw new SmimeError('USAGE', `unexpected argument ${positionals[0]}; usage: ${VERIFY}`);
  const inPath = required(values.in, '--in', VERIFY);
  let ca: X509Certificate[] | undefined;
  if (values.ca) ca = readCertificates(values.ca);
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const r = verifyMessage(message, { ...(ca ? { ca } : {}) });
  if (values.json) {
    out.stdout(json(verifyJson(r)));
  } else if (r.valid) {
    out.stdout(
      `Signature valid${r.chainVerified ? ' (chain verified to the given CA)' : ''}\n` +
        `Signer:   ${r.signerEmail ?? '(no address)'} — ${r.signer?.subject ?? ''}\n` +
        `From:     ${r.from ?? '(none)'} ${r.fromMatches ? '(matches the signer)' : '(does NOT match the signer)'}\n` +
        (r.signingTime ? `Signed:   ${r.signingTime}\n` : ''),
    );
  }
  if (!r.valid)
    out.stderr(`smime-admin: signature invalid: ${r.failure ? verifyFailureText(r.failure) : 'unknown reason'}\n`);
  return r.valid ? 0 : 1;
}

/** Reads one or more PEM (or a DER) certificates. */
export function readCertificates(path: string): X509Certificate[] {
  const data = readInputFile(path, 4 * 1024 * 1024, path);
  const text = data.toString('latin1');
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  try {
    if (pems) return pems.map((p) => new X509Certificate(p));
    return [new X509Certificate(data)];
  } catch {
    throw new SmimeError('FILE_UNREADABLE', `${path} does not contain a readable certificate`);
  }
}
