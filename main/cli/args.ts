import { readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SmimeError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing whose errors read as one line of usage advice. */
export function parse<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new SmimeError('USAGE', `${(e as Error).message.split('\n')[0]}; usage: ${usage}`);
  }
}

export function required(
  value: string | boolean | undefined | (string | boolean)[],
  flag: string,
  usage: string,
): string {
  if (typeof value !== 'string' || value === '') throw new SmimeError('USAGE', `missing ${flag}; usage: ${usage}`);
  return value;
}

/** A secret from the environment variable the user named; secrets never come from argv. */
export function secretFromEnv(varName: string, flag: string): string {
  const v = process.env[varName];
  if (v === undefined)
    throw new SmimeError('USAGE', `${flag} names ${varName}, but that environment variable is not set`);
  return v;
}

const MAX_SECRET_FILE = 64 * 1024;

/**
 * A secret from a file only its owner can read (mode 0600 or stricter): the form for services
 * and scripts, since a process's environment is readable by the same user and by root. One
 * trailing line break (what `echo` writes) is not part of the secret.
 */
export function secretFromFile(path: string, flag: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new SmimeError('USAGE', `${flag} names ${path}, which cannot be read`);
  }
  if (!st.isFile()) throw new SmimeError('USAGE', `${flag} names ${path}, which is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new SmimeError(
      'USAGE',
      `${flag} names ${path}, which others can read (mode ${mode}); make it private first: chmod 600 ${path}`,
    );
  }
  if (st.size > MAX_SECRET_FILE)
    throw new SmimeError('USAGE', `${flag} names ${path}, which is too large for a secret`);
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/** Both forms of a secret option: `--NAME-env VAR` and `--NAME-file FILE`. */
export function secretOptions<N extends string>(name: N) {
  return { [`${name}-env`]: { type: 'string' }, [`${name}-file`]: { type: 'string' } } as Record<
    `${N}-env` | `${N}-file`,
    { type: 'string' }
  >;
}

/**
 * The secret given by exactly one of `--NAME-env VAR` or `--NAME-file FILE`; undefined when
 * neither is given and the secret is optional, a usage error when it is required.
 */
export function secretFrom(
  values: Record<string, unknown>,
  name: string,
  usage: string,
  optional = false,
): string | undefined {
  const env = values[`${name}-env`];
  const file = values[`${name}-file`];
  if (typeof env === 'string' && typeof file === 'string') {
    throw new SmimeError('USAGE', `give --${name}-env or --${name}-file, not both; usage: ${usage}`);
  }
  if (typeof env === 'string' && env !== '') return secretFromEnv(env, `--${name}-env`);
  if (typeof file === 'string' && file !== '') return secretFromFile(file, `--${name}-file`);
  if (optional) return undefined;
  throw new SmimeError('USAGE', `missing --${name}-env or --${name}-file; usage: ${usage}`);
}
