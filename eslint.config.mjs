// Lint: typescript-eslint's recommended rules, plus the architecture rule that keeps the core pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '**/*.vsix', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The core runs in plain Node (CLI, server, worker threads, tests): it must never import the editor API.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must not depend on the VS Code API; put editor code in src/extension.' }],
          patterns: [{ group: ['**/extension/**', '**/cli/**', '**/server/**'], message: 'src/core must not import from the adapters.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', window: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable' },
    },
  },
);
