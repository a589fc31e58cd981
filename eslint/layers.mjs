// The layering rule: every folder of the tree is a layer, and each layer lists what it may import
// (an allow-list, as VS Code's local/code-layering does), so a new folder is constrained from its
// first file. Relative imports are resolved to the layer they land in; packages are matched by name.
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Most specific first. `types` may be imported with `import type` only. */
export const LAYERS = [
  { name: 'contract', dir: 'main/contract', may: ['zod'] },
  { name: 'core-engine', dir: 'main/core/engine', may: ['node:*', 'node-forge', 'contract', 'core-base'] },
  {
    name: 'core-relay',
    dir: 'main/core/relay',
    may: ['node:*', 're2js', 'zod', 'contract', 'core-base', 'core-engine'],
  },
  {
    name: 'core-domain',
    dir: 'main/core/domain',
    may: ['node:*', 'contract', 'core-base', 'core-engine', 'core-relay'],
  },
  { name: 'core-base', dir: 'main/core', may: ['node:*', 'contract'] },
  {
    name: 'adapters',
    dir: 'main/adapters',
    may: ['node:*', 'keytar', 'conf', 'contract', 'core-base', 'core-domain'],
  },
  {
    name: 'server',
    dir: 'main/server',
    may: [
      'node:*',
      'smtp-server',
      'nodemailer',
      'nodemailer/*',
      'prom-client',
      'pino',
      'contract',
      'core-base',
      'core-engine',
      'core-relay',
    ],
  },
  {
    name: 'cli',
    dir: 'main/cli',
    may: ['node:*', 'contract', 'core-base', 'core-engine', 'core-relay', 'core-domain', 'adapters', 'server'],
  },
  {
    name: 'ipc',
    dir: 'main/ipc',
    may: ['node:*', 'zod', 'contract', 'core-base', 'core-engine', 'core-relay', 'core-domain', 'logging'],
    types: ['electron'],
  },
  {
    name: 'electron-main',
    dir: 'main/electron',
    may: ['node:*', 'contract', 'core-base', 'core-domain', 'adapters', 'ipc', 'logging'],
    types: ['electron'],
  },
  { name: 'logging', dir: 'main/logging.ts', may: ['node:*'] },
  { name: 'electron-entry', dir: 'main/index.ts', may: ['electron', 'electron-store', 'node:*', 'electron-main'] },
  { name: 'preload', dir: 'preload', may: ['electron'], types: ['contract'] },
  {
    name: 'renderer',
    dir: 'renderer',
    may: ['react', 'react/*', 'react-dom', 'react-dom/*', 'zustand', '@tanstack/react-virtual', 'contract-messages'],
    types: ['contract', 'preload'],
  },
];

function layerOf(absPath) {
  const rel = relative(ROOT, absPath).split(sep).join('/');
  const candidates = [rel, `${rel}.ts`, `${rel}.tsx`, `${rel}/index.ts`];
  if (candidates.includes('main/contract/messages.ts')) return 'contract-messages';
  for (const candidate of candidates) {
    for (const l of LAYERS) if (candidate === l.dir || candidate.startsWith(l.dir + '/')) return l.name;
  }
  return null;
}

function packageMatches(spec, pattern) {
  if (pattern === 'node:*') return spec.startsWith('node:');
  if (pattern.endsWith('/*')) return spec.startsWith(pattern.slice(0, -1));
  return spec === pattern;
}

/** Does `allowed` (a list of layer names and package patterns) admit the target? */
function admits(allowed, target) {
  if (target.kind === 'layer')
    return allowed.includes(target.name) || (target.name === 'contract-messages' && allowed.includes('contract'));
  return allowed.some((p) => packageMatches(target.spec, p));
}

export const layersRule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      denied:
        '{{from}} may not import {{what}} (allowed: {{allowed}}). See the layers in eslint/layers.mjs and the README.',
    },
  },
  create(context) {
    const file = context.filename;
    const found = layerOf(file);
    if (!found) return {};
    const from = found === 'contract-messages' ? 'contract' : found;
    const me = LAYERS.find((l) => l.name === from);
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string') return;
      let target;
      if (spec.startsWith('.')) {
        const name = layerOf(resolve(dirname(file), spec));
        if (name === from || (from === 'contract' && name === 'contract-messages')) return;
        target = { kind: 'layer', name: name ?? 'outside the layers', spec };
      } else target = { kind: 'package', spec };
      if (admits(me.may, target) || (typeOnly && admits(me.types ?? [], target))) return;
      const allowed = [...me.may, ...(me.types ?? []).map((t) => `types of ${t}`)].join(', ') || 'nothing';
      context.report({
        node,
        messageId: 'denied',
        data: { from, what: target.kind === 'layer' ? `${target.name} (${spec})` : spec, allowed },
      });
    };
    return {
      ImportDeclaration: (n) =>
        check(
          n,
          n.source.value,
          n.importKind === 'type' || (n.specifiers.length > 0 && n.specifiers.every((s) => s.importKind === 'type')),
        ),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value, n.exportKind === 'type'),
      ExportAllDeclaration: (n) => check(n, n.source.value, n.exportKind === 'type'),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value, false),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal')
          check(n, n.arguments[0].value, false);
      },
    };
  },
};
