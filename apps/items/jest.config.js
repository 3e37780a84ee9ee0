module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'items',
  globalSetup: '<rootDir>/../../tools/devstack/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/../../tools/devstack/dist/jest/global-teardown.js',
};
