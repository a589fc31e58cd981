// Layering is visible in the path (see README): main/core is pure Node, renderer is pure browser.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'buffer', 'util', 'stream', 'net', 'http', 'https'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'main/core runs under plain Node (CLI, servers): use a port.' },
            { name: 'keytar', message: 'main/core reaches the keychain only through the SecretStore port.' },
            { name: 'electron-store', message: 'main/core reaches settings only through the settings port.' },
          ],
          patterns: [{ group: ['../adapters/*', '../ipc/*', '../electron/*'], message: 'main/core may not depend on outer layers.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through window.smime.' }, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'No Node in the renderer.' }))],
          patterns: [{ group: ['node:*'], message: 'No Node in the renderer.' }],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**', '**/preload/index*'], allowTypeImports: true, message: 'The renderer may import only types from main (the contract); values reach it through window.smime.' }] },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
);
