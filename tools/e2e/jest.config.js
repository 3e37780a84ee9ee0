// One file at a time: the journey and the shutdown test both start the platform on its ports (docs/contract.md §1).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  testTimeout: 120_000,
  maxWorkers: 1,
};
