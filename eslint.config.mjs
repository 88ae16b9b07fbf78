import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const depConstraints = (testing) => [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared'] },
  { sourceTag: 'scope:calls', onlyDependOnLibsWithTags: ['scope:calls', 'scope:shared'] },
  { sourceTag: 'scope:routing', onlyDependOnLibsWithTags: ['scope:routing', 'scope:shared'] },
  { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...testing] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', ...testing] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:contracts'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', ...testing] },
];

const frameworks = ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'express', 'nestjs-pino', '@opentelemetry/*'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', '.nx/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', {
        allow: [],
        depConstraints: depConstraints([]),
      }],
    },
  },
  {
    // Tests and benchmarks may use the test infrastructure (embedded PostgreSQL, broker helpers); production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: depConstraints(['type:testing']) }] },
  },
  {
    // The domain is pure: no framework, no database, no broker.
    files: ['services/*/src/domain/**/*.ts', 'libs/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: frameworks, message: 'domain code stays free of frameworks and I/O' }] }],
    },
  },
);
