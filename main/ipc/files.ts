/**
 * Files the user picked in a dialog or dropped on the window, held in main under an
 * opaque token. The renderer refers to a file only by its token; it never gets to name
 * a path main should read.
 */
import { randomBytes } from 'node:crypto';
import { SmimeError } from '../core/errors';
import type { FileKind } from '../contract/channels';

const MAX_FILES = 32;

export interface HeldFile {
  kind: FileKind;
  name: string;
  bytes: Buffer;
}

export class FileRegistry {
  private readonly files = new Map<string, HeldFile>();

  register(kind: FileKind, name: string, bytes: Buffer): { file: string; name: string; size: number } {
    const token = randomBytes(16).toString('hex');
    this.files.set(token, { kind, name, bytes });
    while (this.files.size > MAX_FILES) this.files.delete(this.files.keys().next().value!);
    return { file: token, name, size: bytes.length };
  }

  /** Forgets every file: a new preview replaces the outputs of the last one. */
  clear(): void {
    this.files.clear();
  }

  get(token: string, kind: FileKind): HeldFile {
    const f = this.files.get(token);
    if (!f || f.kind !== kind)
      throw new SmimeError('FILE_TOKEN_UNKNOWN', 'that file is no longer available; choose it again');
    return f;
  }
}
