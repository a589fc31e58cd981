/**
 * npm run bench — one JSON line: our signing speed, with OpenSSL's raw figures and
 * node-forge's pkcs7 rate measured in the same run on the same machine.
 *   --quick   a short smoke run (CI): same fields, fewer iterations
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { signingFixture } from './fixtures';
import { prepareSigner } from '../main/core/engine/cms';
import { defaultDestinationExceptions } from '../main/core/relay/patterns';
import { openPkcs12 } from '../main/core/engine/pkcs12';
import { compilePolicy, decide } from '../main/core/relay/policy';
import { parseMessage } from '../main/core/engine/mime';
import { signMessage, signMessageParts } from '../main/core/engine/smime';

const quick = process.argv.includes('--quick');
const seconds = quick ? 0.3 : 3;

function openssl(args: string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function fixtures(dir: string): { p12: string; keyPem: string; certPem: string } {
  const f = signingFixture(dir);
  return { p12: f.p12, keyPem: readFileSync(f.keyPath, 'utf8'), certPem: readFileSync(f.certPath, 'utf8') };
}

function rate(fn: () => void, secs: number): number {
  fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < secs * 1000) {
    fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function message4k(): Buffer {
  const body = 'Thank you for your order. Your parcel ships tomorrow.\n'.repeat(70);
  return Buffer.from(
    `From: Shop <bench@example.com>\nTo: customer@example.org\nSubject: Your order\nDate: Sat, 28 Nov 2026 10:00:00 +0900\nMessage-ID: <bench@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n${body}`,
  ).subarray(0, 4096);
}

function message20m(): Buffer {
  const head =
    'From: bench@example.com\r\nTo: customer@example.org\r\nSubject: Big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const target = 20 * 1024 * 1024;
  const binLen = Math.floor(((target - head.length - 20) * 76) / 78 / 4) * 3;
  const b64 = randomBytes(binLen).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(`${head}${b64}\r\n--b--\r\n`);
}

/** Child mode: sign one big message and report time and peak memory. */
function bigChild(p12Path: string, msgPath: string): void {
  const id = openPkcs12(readFileSync(p12Path), 'bench');
  const signer = prepareSigner(id);
  const baseRss = process.memoryUsage().rss;
  const msg = readFileSync(msgPath);
  // the first message in a fresh process, then the same message again as a running relay sees it
  const t = performance.now();
  const parts = signMessageParts(msg, signer);
  const coldMs = performance.now() - t;
  const t2 = performance.now();
  const whole = Buffer.concat(parts);
  const concatMs = performance.now() - t2;
  writeFileSync(msgPath + '.signed', whole);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const warm = Array.from({ length: 5 }, () => {
    const w = performance.now();
    signMessageParts(msg, signer);
    return performance.now() - w;
  });
  process.stdout.write(JSON.stringify({ ms: median(warm), coldMs, concatMs, bytes: msg.length, baseRss, maxRss }));
}

function main(): void {
  if (process.argv[2] === '--big-child') return bigChild(process.argv[3]!, process.argv[4]!);
  const dir = mkdtempSync(join(tmpdir(), 'smime-bench-'));
  try {
    const fx = fixtures(dir);
    const p12 = readFileSync(fx.p12);
    const importMs = median(
      Array.from({ length: quick ? 3 : 20 }, () => {
        const t = performance.now();
        openPkcs12(p12, 'bench');
        return performance.now() - t;
      }),
    );
    const id = openPkcs12(p12, 'bench');
    const signer = prepareSigner(id);
    const m4 = message4k();
    const ours4k = rate(() => signMessage(m4, signer), seconds);

    const big = message20m();
    const bigPath = join(dir, 'big.eml');
    writeFileSync(bigPath, big);
    const runs = Array.from({ length: quick ? 1 : 5 }, () => {
      const r = spawnSync(process.execPath, [__filename, '--big-child', fx.p12, bigPath], { maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(r.stderr.toString());
      return JSON.parse(r.stdout.toString()) as {
        ms: number;
        coldMs: number;
        concatMs: number;
        bytes: number;
        baseRss: number;
        maxRss: number;
      };
    });
    const bigMs = median(runs.map((r) => r.ms));
    const concatMs = median(runs.map((r) => r.concatMs));
    const coldMs = median(runs.map((r) => r.coldMs));
    const mb = big.length / 1e6;
    const maxRss = Math.max(...runs.map((r) => r.maxRss));
    const baseRss = median(runs.map((r) => r.baseRss));

    // OpenSSL signing the same message as S/MIME (canonical text mode), whole process
    const cmsMs = median(
      Array.from({ length: quick ? 1 : 5 }, () => {
        const t = performance.now();
        openssl([
          'cms',
          '-sign',
          '-in',
          bigPath,
          '-signer',
          join(dir, 'leaf.pem'),
          '-inkey',
          join(dir, 'leaf.key'),
          '-md',
          'sha256',
          '-out',
          join(dir, 'cms.out'),
        ]);
        return performance.now() - t;
      }),
    );

    // OpenSSL's own figures, same machine, same run
    const rsaOut = openssl(['speed', '-seconds', quick ? '1' : '3', 'rsa2048']);
    const rsaLine = rsaOut.split('\n').find((l) => /^rsa\s+2048 bits/.test(l))!;
    const opensslRsa = Number(rsaLine.trim().split(/\s+/)[5]);
    const shaOut = openssl(['speed', '-seconds', quick ? '1' : '3', '-bytes', '16384', '-evp', 'sha256']);
    const shaLine = shaOut.split('\n').find((l) => /^sha256\s/.test(l))!;
    const opensslShaMBps = Number(shaLine.trim().split(/\s+/)[1]!.replace('k', '')) / 1000;

    // node-forge's pkcs7 signing of the same 4 KB content
    const fKey = forge.pki.privateKeyFromPem(fx.keyPem);
    const fCert = forge.pki.certificateFromPem(fx.certPem);
    const content = m4.toString('binary');
    const forgeRate = rate(
      () => {
        const p7 = forge.pkcs7.createSignedData();
        p7.content = forge.util.createBuffer(content);
        p7.addCertificate(fCert);
        p7.addSigner({
          key: fKey,
          certificate: fCert,
          digestAlgorithm: forge.pki.oids.sha256!,
          authenticatedAttributes: [
            { type: forge.pki.oids.contentType!, value: forge.pki.oids.data! },
            { type: forge.pki.oids.messageDigest! },
            { type: forge.pki.oids.signingTime!, value: new Date() as unknown as string },
          ],
        });
        p7.sign({ detached: true });
        forge.asn1.toDer(p7.toAsn1()).getBytes();
      },
      quick ? 0.3 : 2,
    );

    // decisions: 1 000 recipients x 500 destination patterns
    const patterns = Array.from({ length: 500 }, (_, i) => ({
      id: i + 1,
      pattern: `@(?:[^@]+\\.)?dom${i}\\.example\\.jp$`,
      enabled: true,
      isDefault: false,
    }));
    const tc = performance.now();
    const policy = compilePolicy({
      name: 'bench',
      intelligentBcc: true,
      destinationExceptions: [...defaultDestinationExceptions(1000), ...patterns],
      headerExceptions: [],
      certificates: [
        { email: 'bench@example.com', fingerprintSha256: 'x', notBefore: new Date(0), notAfter: new Date(4e12) },
      ],
    });
    const compileMs = performance.now() - tc;
    const recipients = Array.from({ length: 1000 }, (_, i) => ({
      address:
        i % 10 === 0
          ? `u${i}@mail.dom${i % 500}.example.jp`
          : i % 10 === 1
            ? `u${i}@docomo.ne.jp`
            : `user${i}@host${i}.example.com`,
    }));
    const headers = parseMessage(m4).headers;
    const tcold = performance.now();
    decide(policy, { mailFrom: 'bench@example.com', recipients }, parseMessage(message4k()).headers, new Date());
    const decideColdMs = performance.now() - tcold;
    const decideMs = median(
      Array.from({ length: quick ? 3 : 15 }, () => {
        const t = performance.now();
        decide(policy, { mailFrom: 'bench@example.com', recipients }, headers, new Date());
        return performance.now() - t;
      }),
    );

    const sign20MBps = mb / (bigMs / 1000);
    const result = {
      quick,
      node: process.version,
      sign4kMsgsPerSec: Math.round(ours4k),
      opensslRsa2048SignPerSec: Math.round(opensslRsa),
      ratio4kVsOpensslRsa: +(ours4k / opensslRsa).toFixed(3),
      sign20MBMBps: Math.round(sign20MBps),
      sign20MBMs: Math.round(bigMs),
      sign20MBFirstInProcessMs: Math.round(coldMs),
      sign20MBFirstInProcessMBps: Math.round(mb / (coldMs / 1000)),
      sign20MBJoinIntoOneBufferMs: Math.round(concatMs),
      opensslSha256MBps: Math.round(opensslShaMBps),
      opensslCmsSign20MBMs: Math.round(cmsMs),
      ratio20MBVsOpensslSha256: +(sign20MBps / opensslShaMBps).toFixed(3),
      messageMB: +mb.toFixed(1),
      peakRssMB: +(maxRss / 1e6).toFixed(1),
      baselineRssMB: +(baseRss / 1e6).toFixed(1),
      peakRssOverMessage: +((maxRss - baseRss) / big.length).toFixed(2),
      p12ImportMs: +importMs.toFixed(2),
      forgePkcs7MsgsPerSec: +forgeRate.toFixed(1),
      speedupVsForge: +(ours4k / forgeRate).toFixed(1),
      decisions1000x500Ms: +decideMs.toFixed(2),
      decisions1000x500FirstCallMs: +decideColdMs.toFixed(2),
      policyCompileMs: +compileMs.toFixed(1),
      targets: {
        sign4kAtLeast70PctOfOpenssl: ours4k >= 0.7 * opensslRsa,
        sign20MBAtLeast50PctOfOpensslSha256: sign20MBps >= 0.5 * opensslShaMBps,
        peakRssUnder3xMessage: maxRss - baseRss < 3 * big.length,
        atLeast20xForge: ours4k >= 20 * forgeRate,
        decisionsUnder50ms: decideMs < 50,
      },
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
