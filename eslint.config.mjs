// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', 'dist/', 'test/e2e/providers/', 'test/e2e/gitserver/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits fails silently, or after the test that started it has ended.
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test collects these itself; awaiting them would serialise the suites.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-unused-expressions': 'error',
      // Tests and the JSON walkers of lib/ read untyped manifests and plans; props stay typed.
      '@typescript-eslint/no-explicit-any': 'off',
      // Prettier wraps code at 120; this catches what it cannot wrap (long strings and comments).
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignorePattern: '^import |^\\s*// .*https?://| AAAA[A-Za-z0-9+/=]{60,}',
        },
      ],
    },
  },
  {
    // What users pass and read: the settings, the constructs' props, the stacks.
    files: ['*.ts', 'constructs/**/*.ts', 'stacks/**/*.ts', 'cli/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
