/** What the deploy tests read back from the cluster about a release. */
import type { ControlPlane } from '@platform/devstack';

/** The items Deployment's image: which revision's pods run. */
export const itemsImage = (cluster: ControlPlane, namespace: string) =>
  cluster.kubectl([
    'get',
    'deployment',
    'platform-items',
    '-n',
    namespace,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  ]);

/** A Secret's data, base64 as stored. */
export const secretData = async (cluster: ControlPlane, namespace: string, name: string) =>
  JSON.parse(
    await cluster.kubectl(['get', 'secret', name, '-n', namespace, '-o', 'jsonpath={.data}']),
  ) as Record<string, string>;
