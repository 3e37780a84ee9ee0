import * as pulumi from '@pulumi/pulumi';

/**
 * What a component handed to each resource it declared, before serialization: the inputs as
 * outputs (so secrecy can be checked) and the resource options (so dependsOn can be checked).
 * Gathered through a transformation on the component, which its children inherit.
 */
export interface Registration {
  type: string;
  name: string;
  resource: pulumi.Resource;
  props: pulumi.Inputs;
  opts: pulumi.ResourceOptions;
}

export function recordRegistrations(into: Registration[]): pulumi.ResourceTransformation {
  return ({ type, name, resource, props, opts }) => {
    into.push({ type, name, resource, props, opts });
    return undefined;
  };
}

export function registration(all: Registration[], type: string, name: string): Registration {
  const found = all.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} was declared`);
  return found;
}

/** The resources a declaration explicitly depends on (given as a plain list or resource). */
export function dependsOn(declared: Registration): pulumi.Resource[] {
  const given = declared.opts.dependsOn;
  if (given === undefined) return [];
  if (Array.isArray(given))
    return given.filter((item): item is pulumi.Resource => pulumi.Resource.isInstance(item));
  if (pulumi.Resource.isInstance(given)) return [given];
  throw new Error(`${declared.name} was given dependsOn as an output, which this check cannot read`);
}
