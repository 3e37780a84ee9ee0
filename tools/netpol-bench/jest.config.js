module.exports = { ...require('../../jest.preset.js'), displayName: 'netpol-bench' };
