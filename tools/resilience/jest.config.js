module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'resilience',
  testTimeout: 180_000,
  // A database shared by the files that do not stop theirs; the outage test launches its own.
  globalSetup: '<rootDir>/../../tools/devstack/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/../../tools/devstack/dist/jest/global-teardown.js',
};
