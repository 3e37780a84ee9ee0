import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import { SERVICES, type Service } from '../services';

export interface RegistryArgs {
  config: PlatformConfig;
  naming: Naming;
}

/** Images tagged with commit SHAs are never overwritten; untagged leftovers and old builds expire. */
export const LIFECYCLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images after 7 days',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep the 100 most recent images',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
      action: { type: 'expire' },
    },
  ],
};

/**
 * One ECR repository per image, `<repositoryPrefix>/<service>`, scanned on push, with immutable
 * tags and a lifecycle policy. The repositories are shared by every environment: the stack with
 * `registry.create` owns them and the others only look them up, so the image CI scanned is the one
 * each environment runs. A repository that still holds images is never deleted with its stack.
 */
export class Registry extends pulumi.ComponentResource {
  readonly repositoryUrls: Record<Service, pulumi.Output<string>>;
  readonly repositoryArns: Record<Service, pulumi.Output<string>>;
  /** Whether this stack owns the repositories (and so its CI role may push to them). */
  readonly owned: boolean;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:Registry', name, {}, opts);
    const { config, naming } = args;
    const parent = { parent: this };
    const urls: Partial<Record<Service, pulumi.Output<string>>> = {};
    const arns: Partial<Record<Service, pulumi.Output<string>>> = {};
    this.owned = config.registry.create;

    for (const service of SERVICES) {
      const repositoryName = `${config.registry.repositoryPrefix}/${service}`;
      if (this.owned) {
        const repository = new aws.ecr.Repository(
          naming.name('ecr', service),
          {
            name: repositoryName,
            imageTagMutability: 'IMMUTABLE',
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: 'KMS' }],
            forceDelete: false,
            tags: naming.tags(`ecr-${service}`),
          },
          parent,
        );
        new aws.ecr.LifecyclePolicy(
          naming.name('ecr', service, 'lifecycle'),
          { repository: repository.name, policy: JSON.stringify(LIFECYCLE_POLICY) },
          parent,
        );
        urls[service] = repository.repositoryUrl;
        arns[service] = repository.arn;
      } else {
        const repository = aws.ecr.getRepositoryOutput({ name: repositoryName }, parent);
        urls[service] = repository.repositoryUrl;
        arns[service] = repository.arn;
      }
    }
    this.repositoryUrls = urls as Record<Service, pulumi.Output<string>>;
    this.repositoryArns = arns as Record<Service, pulumi.Output<string>>;
    this.registerOutputs({ repositoryUrls: this.repositoryUrls });
  }
}
