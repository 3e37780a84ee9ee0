module.exports = { ...require('../../jest.preset.js'), displayName: 'helm-chart' };
