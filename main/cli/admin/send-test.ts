/**
 * `smime-admin send-test`: what a relay running this bundle would deliver, written as files.
 * The relay pipeline itself runs here, with the composition and signers from the bundle.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_MESSAGE_BYTES } from '../../core/engine/mime';
import { SmimeError } from '../../core/errors';
import { readInputFile, writeFileAtomic } from '../../core/files';
import { MAX_BUNDLE_BYTES } from '../../core/relay/bundle';
import { loadRelayConfig } from '../../core/relay/config';
import { buildEnvelope, runPipeline } from '../../core/relay/pipeline';
import { parse, required, secretFrom, secretOptions } from '../args';
import type { Output } from '../output';
import { decisionJson, decisionLine, json } from '../render';
import { EX_TEMPFAIL, usage } from './context';

const USAGE =
  'smime-admin send-test --bundle BUNDLE --passphrase-env VAR --composition NAME --in MSG.eml --mail-from ADDR --rcpt ADDR [--rcpt ADDR ...] [--bcc-copy ADDR ...] [--detect-bcc-copies] --out-dir DIR [--json] [--at ISO-TIME]';

/** A recipient address as a file name: recognisable, and safe on every file system. */
function safeFileName(addr: string): string {
  return addr.replace(/[^A-Za-z0-9@._+-]/g, '_').slice(0, 100);
}

export async function sendTestCommand(args: string[], out: Output): Promise<number> {
  const u = USAGE;
  const { values, positionals } = parse(
    args,
    {
      bundle: { type: 'string' },
      ...secretOptions('passphrase'),
      composition: { type: 'string' },
      in: { type: 'string' },
      'mail-from': { type: 'string' },
      rcpt: { type: 'string', multiple: true },
      'bcc-copy': { type: 'string', multiple: true },
      'detect-bcc-copies': { type: 'boolean' },
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
  const rcpts = values.rcpt ?? [];
  const bccCopies = values['bcc-copy'] ?? [];
  if ([...rcpts, ...bccCopies].some((a) => a.trim() === '')) usage(u, 'a --rcpt or --bcc-copy is empty');
  if (rcpts.length + bccCopies.length === 0) usage(u, 'give at least one --rcpt');
  let at = new Date();
  if (values.at) {
    at = new Date(values.at);
    if (!/^\d{4}-\d\d-\d\dT/.test(values.at) || Number.isNaN(at.getTime()))
      usage(u, `--at "${values.at}" is not an ISO 8601 time`);
  }
  const passphrase = secretFrom(values, 'passphrase', u)!;
  const config = loadRelayConfig(readInputFile(bundlePath, MAX_BUNDLE_BYTES, bundlePath), passphrase, bundlePath);
  const wanted = name.trim();
  if (config.composition.name.toLowerCase() !== wanted.toLowerCase() && config.composition.id !== wanted) {
    throw new SmimeError(
      'COMPOSITION_NOT_FOUND',
      `${bundlePath} holds composition "${config.composition.name}", not "${wanted}"`,
    );
  }
  const message = readInputFile(inPath, MAX_MESSAGE_BYTES, inPath === '-' ? 'standard input' : inPath);
  const envelope = buildEnvelope(mailFrom, rcpts, bccCopies);
  // --detect-bcc-copies: as the relay does, a --rcpt the message's To and Cc do not name is a BCC copy;
  // without it only --bcc-copy marks copies (as send-test always has)
  const result = await runPipeline(
    config.policy,
    config.signerFor,
    message,
    envelope,
    at,
    inPath === '-' ? 'standard input' : inPath,
    { detectBccCopies: values['detect-bcc-copies'] === true },
  );
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  let n = 0;
  for (const d of result.deliveries) {
    const bytes = Buffer.concat(d.message);
    for (const r of d.recipients)
      writeFileAtomic(join(outDir, `${String(++n).padStart(3, '0')}-${safeFileName(r)}.eml`), bytes, 0o600);
  }
  if (values.json) out.stdout(json(result.decisions.map(decisionJson)));
  else out.stdout(result.decisions.map(decisionLine).join('\n') + '\n');
  let rejected = 0;
  for (const d of result.decisions) {
    if (d.action !== 'reject') continue;
    rejected++;
    out.stderr(`${d.smtp.code} ${d.smtp.text} (${d.recipient})\n`);
  }
  return rejected > 0 ? EX_TEMPFAIL : 0;
}
