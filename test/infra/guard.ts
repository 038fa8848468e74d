/**
 * Runs the Control Tower proactive controls of `@cdklabs/cdk-validator-cfnguard` (its bundled
 * cfn-guard binary) on a synthesized stage, reusing the assembly the stage suite already
 * wrote. Rules that evaluate no resource type present in the templates are left out of the
 * run: they could only SKIP, and cfn-guard's time grows with rules times templates.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GuardFinding } from '../../infra/guard.js';

const packageDir = dirname(
  createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'),
);
const rulesDir = join(packageDir, 'rules', 'control-tower', 'cfn-guard');

const ruleFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? ruleFiles(path) : path.endsWith('.guard') ? [path] : [];
  });

/** Every bundled rule file, with the resource types it names. */
const rules = ruleFiles(rulesDir).map((path) => ({
  name: basename(path, '.guard'),
  types: new Set(readFileSync(path, 'utf8').match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []),
}));

export interface GuardRun {
  findings: GuardFinding[];
  /** Rules run, out of all bundled. */
  ran: number;
  bundled: number;
}

export const runGuard = (assembly: CloudAssembly): GuardRun => {
  const stacks = assembly.stacks.map((stack) => ({
    name: stack.stackName,
    file: basename(stack.templateFullPath),
    resources: (stack.template.Resources ?? {}) as Record<string, { Type: string }>,
  }));
  const present = new Set(stacks.flatMap((s) => Object.values(s.resources).map((r) => r.Type)));
  const idle = rules.filter((rule) => ![...rule.types].some((type) => present.has(type)));
  const validator = new CfnGuardValidator({ disabledRules: idle.map((rule) => rule.name) });
  const context = {
    templatePaths: assembly.stacks.map((stack) => stack.templateFullPath),
  } as IPolicyValidationContextBeta1;
  const report = validator.validate(context);
  const findings = report.violations.flatMap((violation) => {
    const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
    return violation.violatingResources.map((resource): GuardFinding => {
      const stack = stacks.find((s) => s.file === basename(resource.templatePath ?? ''));
      const logicalId = resource.resourceLogicalId ?? '';
      return {
        control,
        rule: violation.ruleName,
        stack: stack?.name ?? resource.templatePath,
        logicalId,
        resourceType: stack?.resources[logicalId]?.Type ?? '(none)',
      };
    });
  });
  return { findings, ran: rules.length - idle.length, bundled: rules.length };
};
