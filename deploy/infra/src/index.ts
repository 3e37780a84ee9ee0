import { createPlatform, type PlatformOutputs } from './platform';
import { loadStackConfig, readPlatformFiles } from './stackConfig';

type StackOutputs = { [K in keyof PlatformOutputs]?: Exclude<PlatformOutputs[K], undefined> };

/**
 * The Pulumi program. A CommonJS module exporting a function: the Node.js runtime calls it and makes
 * each key of the returned object a stack output.
 */
function program(): StackOutputs {
  const config = loadStackConfig();
  const outputs: StackOutputs = { ...createPlatform(config, readPlatformFiles(config)) };
  // Outputs this stack does not have (pod security groups, the CI role) are left out, not exported as null.
  for (const key of Object.keys(outputs) as (keyof StackOutputs)[]) {
    if (outputs[key] === undefined) delete outputs[key];
  }
  return outputs;
}

export = program;
