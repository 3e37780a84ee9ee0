module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'bench',
  globalSetup: '<rootDir>/../../tools/devstack/dist/jest/global-setup.js',
  globalTeardown: '<rootDir>/../../tools/devstack/dist/jest/global-teardown.js',
};
