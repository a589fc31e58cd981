import { X509Certificate } from 'node:crypto';
import { inspectIdentity, type CertificateInfo } from '../core/engine/certificate';
import { SmimeError } from '../core/errors';
import { checkedCertificate, pemCertificates } from '../core/engine/x509';
import { readInputFile, writeFileAtomic } from '../core/files';
import { MAX_MESSAGE_BYTES } from '../core/engine/mime';
import { parseCrl, type Crl } from '../core/engine/crl';
import { checkSigningIdentity, MAX_P12_BYTES, openPkcs12, type SigningIdentity } from '../core/engine/pkcs12';
import { signMessage, verifyMessage, type VerifyResult } from '../core/engine/smime';
import { parse, required, secretFrom, secretOptions } from './args';
import type { Output } from './output';
import { json, verifyJson, warningLine, withWarningText } from './render';
import { verifyFailureText } from '../contract';

const INSPECT = 'smime-admin inspect FILE.p12 --password-env VAR [--json]';
const SIGN = 'smime-admin sign --p12 FILE.p12 --password-env VAR --in MSG.eml --out SIGNED.eml [--pss]';
const VERIFY =
  'smime-admin verify --in SIGNED.eml [--ca ROOT.pem] [--signer-cert CERT.pem] [--crl CRL.pem ...] [--allow-other-signer] [--json]';

/** The key as people name it: RSASSA-PSS keys sign only with PSS (RFC 4055 §1.2). */
function keyText(info: CertificateInfo, pss?: SigningIdentity['pss']): string {
  const base = `${info.keyType} ${info.keyBits}${info.curve ? ` (${info.curve})` : ''}`;
  if (!pss) return base;
  const limits = [pss.hash && `hash ${pss.hash}`, pss.saltLength !== undefined && `salt ≥ ${pss.saltLength}`]
    .filter(Boolean)
    .join(', ');
  return `${base}, RSASSA-PSS only${limits ? ` (${limits})` : ''}`;
}

export function formatCertificate(info: CertificateInfo, pss?: SigningIdentity['pss']): string {
  const lines = [
    `Addresses:    ${info.emails.join(', ') || '(none)'}`,
    `Subject:      ${info.subject}`,
    `Issuer:       ${info.issuer}`,
    `Serial:       ${info.serial}`,
    `Valid:        ${info.notBefore} to ${info.notAfter}`,
    `Key:          ${keyText(info, pss)}`,
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
    { ...secretOptions('password'), json: { type: 'boolean' }, 'warn-days': { type: 'string' } },
    INSPECT,
  );
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new SmimeError('USAGE', `give exactly one PKCS#12 file; usage: ${INSPECT}`);
  const password = secretFrom(values, 'password', INSPECT)!;
  const id = openPkcs12(readInputFile(file, MAX_P12_BYTES, file), password, file);
  const info = inspectIdentity(id, values['warn-days'] ? { warnDays: Number(values['warn-days']) } : {});
  out.stdout(
    values.json
      ? json({ ...withWarningText(info), ...(id.pss ? { rsaPss: id.pss } : {}) })
      : formatCertificate(info, id.pss),
  );
  return 0;
}

export function signCommand(args: string[], _out: Output): number {
  const { values, positionals } = parse(
    args,
    {
      p12: { type: 'string' },
      ...secretOptions('password'),
      in: { type: 'string' },
      out: { type: 'string' },
      pss: { type: 'boolean' },
    },
    SIGN,
  );
  if (positionals.length > 0) throw new SmimeError('USAGE', `unexpected argument ${positionals[0]}; usage: ${SIGN}`);
  const p12Path = required(values.p12, '--p12', SIGN);
  const inPath = required(values.in, '--in', SIGN);
  const outPath = required(values.out, '--out', SIGN);
  const password = secretFrom(values, 'password', SIGN)!;
  const id = openPkcs12(readInputFile(p12Path, MAX_P12_BYTES, p12Path), password, p12Path);
  checkSigningIdentity(id, p12Path);
  if (values.pss && id.keyType !== 'RSA')
    throw new SmimeError('USAGE', `--pss needs an RSA key; the key in ${p12Path} is ${id.keyType}`);
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const signed = signMessage(message, id, { pss: values.pss ?? false });
  writeFileAtomic(outPath, signed);
  return 0;
}

const yesNo = (v: boolean | null): string => (v === null ? 'unknown (no signing time)' : v ? 'yes' : 'NO');

/** The readable verdict: one block per signature layer, outer to inner. */
function formatVerification(r: VerifyResult): string {
  const lines: string[] = [];
  r.layers.forEach((l, i) => {
    const head = r.layers.length > 1 ? `Layer ${i + 1} of ${r.layers.length} (${l.kind}): ` : '';
    lines.push(
      `${head}${l.valid ? 'Signature valid' : `Signature INVALID: ${l.failure ? verifyFailureText(l.failure) : 'unknown reason'}`}${l.chainVerified ? ' (chain verified to the given CA)' : ''}`,
    );
    for (const s of l.signers)
      lines.push(
        `Signer:   ${s.email ?? '(no address)'} — ${s.subject}${l.signers.length > 1 && !s.valid ? ' (INVALID)' : ''}`,
      );
    if (l.signingTime) lines.push(`Signed:   ${l.signingTime}`);
    if (l.signatureAlgorithm) lines.push(`Algorithm: ${l.signatureAlgorithm} with ${l.digest ?? '?'}`);
    lines.push(`Valid at signing time: ${yesNo(l.validAtSigningTime)}; valid now: ${yesNo(l.validNow)}`);
    if (l.weakDigest) lines.push('Warning:  the signature uses SHA-1, which mail clients no longer accept');
    if (l.revocationChecked) lines.push('Revocation: checked against the given CRLs');
  });
  lines.push(
    `From:     ${r.from ?? '(none)'} ${r.fromMatches ? '(matches the signer)' : `(does NOT match: ${verifyFailureText(r.fromFailure!)})`}`,
  );
  return lines.join('\n') + '\n';
}

export function verifyCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(
    args,
    {
      in: { type: 'string' },
      ca: { type: 'string' },
      'signer-cert': { type: 'string', multiple: true },
      crl: { type: 'string', multiple: true },
      'allow-other-signer': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    VERIFY,
  );
  if (positionals.length > 0) throw new SmimeError('USAGE', `unexpected argument ${positionals[0]}; usage: ${VERIFY}`);
  const inPath = required(values.in, '--in', VERIFY);
  let ca: X509Certificate[] | undefined;
  if (values.ca) ca = readCertificates(values.ca);
  const signerCerts = (values['signer-cert'] ?? []).flatMap(readCertificates);
  const crls: Crl[] = (values.crl ?? []).map((p) => parseCrl(readInputFile(p, 16 * 1024 * 1024, p), p));
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const r = verifyMessage(message, {
    ...(ca ? { ca } : {}),
    ...(signerCerts.length > 0 ? { signerCerts } : {}),
    ...(crls.length > 0 ? { crls } : {}),
  });
  const otherSignerOk = r.fromMatches || values['allow-other-signer'] === true;
  out.stdout(values.json ? json(verifyJson(r)) : r.valid || r.layers.length > 1 ? formatVerification(r) : '');
  if (!r.valid)
    out.stderr(`smime-admin: signature invalid: ${r.failure ? verifyFailureText(r.failure) : 'unknown reason'}\n`);
  else if (!otherSignerOk)
    out.stderr(
      `smime-admin: the signer does not speak for the From address: ${verifyFailureText(r.fromFailure!)} (--allow-other-signer accepts that)\n`,
    );
  return r.valid && otherSignerOk ? 0 : 1;
}

/** Reads one or more PEM (or a DER) certificates. */
export function readCertificates(path: string): X509Certificate[] {
  const data = readInputFile(path, 4 * 1024 * 1024, path);
  const text = data.toString('latin1');
  const pems = pemCertificates(text);
  if (pems.length > 0) return pems.map((p) => checkedCertificate(p, 'FILE_UNREADABLE', path));
  if (text.includes('-----BEGIN'))
    throw new SmimeError('FILE_UNREADABLE', `${path} does not contain a readable certificate`);
  return [checkedCertificate(data, 'FILE_UNREADABLE', path)];
}
