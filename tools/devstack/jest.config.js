module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'devstack',
  globalSetup: '<rootDir>/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/dist/jest/global-teardown.js',
};
