/**
 * Physical names that one stack gives and another stack finds on its own. CloudFormation
 * refuses to change or remove an export while another stack imports it, so a value that
 * crosses from a service stack to another stack is never exported: it is a name both sides
 * compute from the stage and the service (a table, a router function), and the ARN is built
 * in the stack that needs it, in that stack's partition.
 */

/** Every stack, table and function of a stage starts with this. */
export const stagePrefix = (stage: string): string => `${stage}-dangjian`;

/** A service's table: `prod-dangjian-talent`. */
export const tableNameOf = (stage: string, service: string): string => `${stagePrefix(stage)}-${service}`;

/** The function behind every route of a service: `prod-dangjian-talent-router`. */
export const routerNameOf = (stage: string, service: string): string =>
  `${stagePrefix(stage)}-${service}-router`;

/** A stage's dashboards: the API's is `dangjian-prod`, a service's `dangjian-prod-talent`. */
export const dashboardNameOf = (stage: string, part?: string): string =>
  part ? `dangjian-${stage}-${part}` : `dangjian-${stage}`;
