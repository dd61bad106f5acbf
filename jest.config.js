// Two tiers: unit specs beside the source (no I/O), and tests/ against real
// Kafka, PostgreSQL and SMTP. Both compile with SWC (TypeScript 7 has no JS API).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      // tests/support's pure helpers (the ledger) have specs too; they need no I/O either.
      roots: ['<rootDir>/src', '<rootDir>/tests/support'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/tests'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      slowTestThreshold: 30,
      // Real brokers and databases on a shared 2-core machine: set-up alone can take seconds.
      testTimeout: 60_000,
    },
  ],
};
