// Shared jest setup: @swc/jest in CommonJS mode, one config per test level.
// A project's jest.config.js calls this with its directory; the Nx target picks the level.
const path = require('node:path');
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const levels = {
  unit: { match: '**/*.spec.ts', timeout: 10_000 },
  int: { match: '**/*.int-spec.ts', timeout: 60_000 },
  e2e: { match: '**/*.e2e-spec.ts', timeout: 120_000 },
};

module.exports = (projectDir) => {
  const level = levels[process.env.TEST_LEVEL ?? 'unit'];
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: [`<rootDir>/${level.match}`],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
    testTimeout: level.timeout,
    setupFiles: [path.join(__dirname, 'tools', 'jest.setup.js')],
    // A Kafka client or server socket left half-closed by a library must not hang CI after every
    // test has passed; leaks are hunted with --detectOpenHandles, not by waiting.
    forceExit: level !== levels.unit,
  };
};
