module.exports = { ...require('../../jest.preset.js'), displayName: 'deploy', testTimeout: 300000 };
