import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // client-usage.ts imports the types generated at test time (test/openapi/client-types.test.ts checks it).
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'test/openapi/client-usage.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // On Node 20 an AsyncLocalStorage (or any async hook) turns on promise hooks for the whole
    // process; it once cost /auth/me two thirds of its throughput.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'node:async_hooks', message: 'async hooks slow every request on Node 20; pass what you need explicitly' }] }],
    },
  },
  {
    // The hexagon's inner rings import no framework or infrastructure (see also test/architecture).
    files: ['src/domain/**/*.ts', 'src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['koa', 'koa-*', '@koa/*', 'passport*', 'knex', 'mysql2', 'better-sqlite3', 'bcrypt', 'jsonwebtoken', 'jose', 'tsyringe', 'ioredis', 'pino', 'zod', '**/adapters/**', '**/composition/**', '**/config/**'],
              message: 'domain and application import no framework, infrastructure, adapter or composition code',
            },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'only src/config/env.ts reads process.env' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The demo page's script runs in the browser as it is, with no build step.
    files: ['src/adapters/http/web/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.browser, sourceType: 'module' },
  },
);
