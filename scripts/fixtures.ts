/**
 * Throw-away signing fixtures for the benchmarks and the fuzzer, made with OpenSSL at run time
 * (never committed): a CA and a leaf for one address, as PEM files and a PKCS#12.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Fixture {
  dir: string;
  p12: string;
  password: string;
  keyPath: string;
  certPath: string;
  caPath: string;
}

/** Creates the CA, the leaf (RSA-2048 or P-256) for `email` and a PKCS#12 in `dir` (extra `pkcs12 -export` flags allowed). */
export function signingFixture(
  dir: string,
  opts: { email?: string; key?: 'rsa' | 'ec'; password?: string; p12Flags?: string[]; days?: number } = {},
): Fixture {
  const email = opts.email ?? 'bench@example.com';
  const password = opts.password ?? 'bench';
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const days = String(opts.days ?? 30);
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days].concat([
      '-subj',
      '/CN=Bench CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]),
  );
  const newkey = opts.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  openssl(['req', ...newkey, '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=Bench']);
  writeFileSync(
    join(dir, 'ext'),
    `subjectAltName=email:${email}\nextendedKeyUsage=emailProtection\nkeyUsage=critical,digitalSignature\n`,
  );
  openssl(
    ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days].concat([
      '-extfile',
      'ext',
      '-out',
      'leaf.pem',
    ]),
  );
  openssl(
    ['pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-certfile', 'ca.pem', '-out', 'b.p12'].concat([
      '-passout',
      `pass:${password}`,
      ...(opts.p12Flags ?? []),
    ]),
  );
  return {
    dir,
    p12: join(dir, 'b.p12'),
    password,
    keyPath: join(dir, 'leaf.key'),
    certPath: join(dir, 'leaf.pem'),
    caPath: join(dir, 'ca.pem'),
  };
}
