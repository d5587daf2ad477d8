import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { Buffer: 'readonly', process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Tests read JSON answers from the wire, where `any` is the honest type.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['botbuilder*', '@microsoft/*', 'restify', '@azure/*', 'better-sqlite3', 'node:http', 'http', 'https', 'adaptivecards-templating'],
            message: 'The domain core stays free of frameworks and I/O: depend on a port instead.' },
          { group: ['../teams/*', '../lockbox/*', '../directory/*', '../store/*', '../simulator/*', '../runtime/*'],
            message: 'Arrows point inward: the domain never imports an adapter.' },
        ],
      }],
    },
  },
);
