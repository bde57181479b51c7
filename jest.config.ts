import type { Config } from 'jest'

// Tests are transpiled without type-checking (isolatedModules keeps `import()` of ESM-only packages
// such as got intact); `npm run typecheck` checks the same files with tsc.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  watchman: false,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 30_000,
  // Restores nock after every file (see the file): one file's interceptor must not outlive it.
  setupFilesAfterEnv: ['<rootDir>/test/setup/nock-per-file.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js']
}

export default config
