module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'hostile-input',
  testTimeout: 300_000,
  globalSetup: '<rootDir>/../../tools/devstack/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/../../tools/devstack/dist/jest/global-teardown.js',
};
