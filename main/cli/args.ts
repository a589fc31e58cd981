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
