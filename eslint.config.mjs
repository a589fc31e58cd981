// Layering is visible in the path (see README, "How the pieces fit"): each folder may import only
// what eslint/layers.mjs allows it, so main/core stays plain Node and the renderer sees only the contract.
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint/layers.mjs';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { local: { rules: { layers: layersRule } } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: { 'local/layers': 'error' },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'eslint/**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
  },
);
