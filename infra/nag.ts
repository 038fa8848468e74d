/**
 * cdk-nag (v3) runs as a CDK policy-validation plugin: a violation that is not acknowledged
 * stops synth. Every acknowledgement goes through here so it carries a real reason.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const acknowledge = (scope: IConstruct, id: string, reason: string): void => {
  if (!/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/.test(id)) throw new Error(`Not an AwsSolutions rule id: ${id}`);
  if (reason.trim().length < 10) throw new Error(`Acknowledging ${id} needs a reason that says why`);
  Validations.of(scope).acknowledge({ id, reason });
};
