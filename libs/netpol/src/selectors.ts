import type { Labels, LabelSelector, LabelSelectorRequirement } from './types';

/** True when `labels` satisfies every matchLabels entry and every matchExpression; `{}` matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return explainSelectorMismatch(selector, labels).length === 0;
}

/**
 * Why `labels` does not satisfy `selector`, one line per failed requirement, wanted vs actual side by side.
 * Empty when the selector matches. `subject` names what carries the labels (`pod`, `namespace`).
 */
export function explainSelectorMismatch(selector: LabelSelector, labels: Labels, subject = 'pod'): string[] {
  const reasons: string[] = [];
  for (const [key, wanted] of Object.entries(selector.matchLabels ?? {})) {
    const actual = labelValue(labels, key);
    if (actual !== wanted) reasons.push(`${key}: wants "${wanted}", ${describeActual(subject, actual)}`);
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const actual = labelValue(labels, requirement.key);
    if (!requirementHolds(requirement, actual)) {
      reasons.push(`${describeRequirement(requirement)}: ${describeActual(subject, actual)}`);
    }
  }
  return reasons;
}

// Own properties only, so a label key like `constructor` never reads the prototype.
function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function requirementHolds(requirement: LabelSelectorRequirement, actual: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return actual !== undefined && values.includes(actual);
    case 'NotIn':
      // Kubernetes: NotIn is satisfied when the key is absent.
      return actual === undefined || !values.includes(actual);
    case 'Exists':
      return actual !== undefined;
    case 'DoesNotExist':
      return actual === undefined;
  }
}

function describeRequirement(requirement: LabelSelectorRequirement): string {
  const { key, operator } = requirement;
  if (operator === 'Exists' || operator === 'DoesNotExist') return `${key} ${operator}`;
  return `${key} ${operator} [${(requirement.values ?? []).join(', ')}]`;
}

function describeActual(subject: string, actual: string | undefined): string {
  return actual === undefined ? `${subject} has no such label` : `${subject} has "${actual}"`;
}
