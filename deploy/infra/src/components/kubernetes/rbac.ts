/**
 * What `helm upgrade --install` of deploy/helm/platform and `helm test` need in one application
 * namespace, and nothing more: the kinds the chart renders, the Secrets helm keeps its release
 * history in (and the chart reads back with lookup), what `--wait` reads to judge readiness, and
 * the test Job with its pod's logs.
 */

export const DEPLOYERS_GROUP = 'platform-deployers';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const MANAGE = [...READ, 'create', 'update', 'patch', 'delete'];

export const DEPLOYER_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['configmaps', 'secrets', 'services', 'serviceaccounts'],
    verbs: MANAGE,
  },
  // The helm test Job: created, watched to completion, deleted by its hook policy (and by the
  // deploy step when a test fails); its pod, made by the Job controller, only read, with its logs.
  { apiGroups: ['batch'], resources: ['jobs'], verbs: MANAGE },
  { apiGroups: [''], resources: ['pods'], verbs: READ },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  // What went wrong when --wait gives up.
  { apiGroups: [''], resources: ['events'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: MANAGE },
  // `--wait` finds a Deployment's new ReplicaSet to count its ready pods.
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: MANAGE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
  { apiGroups: ['vpcresources.k8s.aws'], resources: ['securitygrouppolicies'], verbs: MANAGE },
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors', 'prometheusrules'], verbs: MANAGE },
];
