import type { PlatformConfig } from './config';

/**
 * The one place that names things and tags them: every AWS resource is `<name>-<purpose>` and carries
 * the stack's tags plus a Name, so a bill or a console listing tells which stack owns what.
 */
export class Naming {
  readonly prefix: string;
  private readonly baseTags: Record<string, string>;

  constructor(config: Pick<PlatformConfig, 'name' | 'environment' | 'tags'>) {
    this.prefix = config.name;
    this.baseTags = {
      ...config.tags,
      'platform:stack': config.name,
      'platform:environment': config.environment,
      'platform:managed-by': 'pulumi',
    };
  }

  /** `<prefix>-<purpose>`, for logical and physical names alike. */
  name(...purpose: (string | number)[]): string {
    return [this.prefix, ...purpose].join('-');
  }

  /** The stack's tags with a Name and any extra tags of this resource. */
  tags(purpose?: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.baseTags, ...(purpose ? { Name: this.name(purpose) } : {}), ...extra };
  }

  /** EKS cluster name; also the value of the `kubernetes.io/cluster/<name>` tag. */
  get clusterName(): string {
    return this.prefix;
  }

  get clusterTagKey(): string {
    return `kubernetes.io/cluster/${this.clusterName}`;
  }

  /** Kubernetes namespace of an application environment (the chart's release namespace). */
  static appNamespace(environment: string): string {
    return `platform-${environment}`;
  }
}
