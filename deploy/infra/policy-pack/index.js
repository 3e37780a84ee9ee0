// The policies are compiled with the program (`npm run build` in deploy/infra). This directory holds
// only the pack's metadata and has no dependencies of its own, so @pulumi/policy and @pulumi/pulumi
// resolve to the workspace's single copy.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const pack = join(__dirname, '..', 'dist', 'policy', 'pack.js');
if (!existsSync(pack)) {
  throw new Error(
    `${pack} does not exist: run \`npm run build\` in deploy/infra before using the policy pack`,
  );
}
require(pack);
