import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

/** Lints a would-be file at `path` in the tree: the messages of the layering rule only. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.filter((m) => m.ruleId === 'local/layers').map((m) => m.message);
}

describe('the layering rule (an allow-list per folder)', () => {
  it('lets each layer import what it is allowed', async () => {
    expect(
      await layerErrors(
        'main/core/engine/x.ts',
        "import { OID } from './oids';\nimport { createHash } from 'node:crypto';\nexport { OID, createHash };\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'renderer/x.ts',
        "import type { CertificateView } from '../main/contract';\nimport { warningText } from '../main/contract/messages';\nexport type { CertificateView };\nexport { warningText };\n",
      ),
    ).toEqual([]);
  });

  it('refuses what a layer may not import, naming both', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'main/core/engine/x.ts',
        "import { AdminService } from '../domain/service';",
        /core-engine may not import core-domain/,
      ],
      ['main/core/domain/x.ts', "import keytar from 'keytar';", /core-domain may not import keytar/],
      ['main/core/relay/x.ts', "import { log } from '../../logging';", /core-relay may not import logging/],
      [
        'main/server/x.ts',
        "import { AdminService } from '../core/domain/service';",
        /server may not import core-domain/,
      ],
      ['renderer/x.ts', "import { readFileSync } from 'node:fs';", /renderer may not import node:fs/],
      ['renderer/x.ts', "import { requestSchemas } from '../main/contract';", /renderer may not import contract/],
      [
        'preload/x.ts',
        "import { AdminService } from '../main/core/domain/service';",
        /preload may not import core-domain/,
      ],
      ['main/contract/x.ts', "import { SmimeError } from '../core/errors';", /contract may not import core-base/],
    ];
    for (const [path, code, expected] of cases) {
      const errors = await layerErrors(path, `${code}\nexport const _x = 1;\n`);
      expect(errors.join('\n'), `${path}: ${code}`).toMatch(expected);
    }
  });
});
