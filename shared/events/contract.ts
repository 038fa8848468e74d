import * as z from 'zod';

/**
 * A published event's contract: its name (the EventBridge `detail-type`), the service that
 * publishes it (`source: dangjian.<service>`), the version of its data shape, and the zod
 * schema of `detail.data`. Publishers validate before writing the outbox item; consumers
 * validate again on arrival, so a drifted producer fails loudly instead of corrupting state.
 */
export interface EventContract<Name extends string = string, Data = unknown> {
  readonly name: Name;
  readonly service: string;
  readonly source: string;
  readonly version: number;
  readonly data: z.ZodType<Data>;
}

export const eventSource = (service: string): string => `dangjian.${service}`;

export const defineEvent = <Name extends string, Schema extends z.ZodType>(
  service: string,
  name: Name,
  data: Schema,
  version = 1,
): EventContract<Name, z.output<Schema>> => ({
  name,
  service,
  source: eventSource(service),
  version,
  data: data as z.ZodType<z.output<Schema>>,
});

/** `detail` of every dangjian event: the envelope every event carries (README, "Events"). */
export const envelopeSchema = z.strictObject({
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  version: z.number().int().positive(),
  data: z.unknown(),
});
export type Envelope<Data = unknown> = Omit<z.output<typeof envelopeSchema>, 'data'> & { data: Data };

/** The EventBridge event as a target receives it. */
export interface BusEvent<Detail = unknown> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** An EventBridge pattern selecting exactly this contract's events. */
export const patternFor = (contract: EventContract): Record<string, string[]> => ({
  source: [contract.source],
  'detail-type': [contract.name],
});
