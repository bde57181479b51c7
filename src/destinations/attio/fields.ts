/**
 * Fields several actions share: how multiselect values are written, and the key-value editors for
 * attributes.
 */
import type { ActionDefinition, DynamicFieldResponse, InputField, RequestFn } from '@segment/actions-core'
import {
  connect,
  fieldPath,
  DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE,
  type BatchItem,
  type PrepareOptions,
  type RecordAssertion,
  type ValueInput,
  writableAttributeChoices
} from '../../api'
import type { Settings } from './generated-types'

/** The event's email: the identify traits, else the context's traits, else a track event's properties. */
export const EMAIL_FROM_EVENT: InputField['default'] = {
  '@if': {
    exists: { '@path': '$.traits.email' },
    then: { '@path': '$.traits.email' },
    else: {
      '@if': {
        exists: { '@path': '$.context.traits.email' },
        then: { '@path': '$.context.traits.email' },
        else: { '@path': '$.properties.email' }
      }
    }
  }
}

/** The event's domain: the group traits' website, else their domain. */
export const DOMAIN_FROM_EVENT: InputField['default'] = {
  '@if': {
    exists: { '@path': '$.traits.website' },
    then: { '@path': '$.traits.website' },
    else: { '@path': '$.traits.domain' }
  }
}

export const multiselectMode: InputField = {
  label: 'Multiselect values',
  description:
    'How values of multiselect attributes (other than the matching attribute) are written. "append" (default) adds them to the values the record already has and never removes any; "replace" makes the record hold exactly the mapped values, deleting the others.',
  type: 'string',
  required: false,
  choices: [
    { label: 'Append (keep existing values)', value: 'append' },
    { label: 'Replace (delete values not mapped)', value: 'replace' }
  ],
  default: 'append'
}

/** The keys picker of a key-value field of one fixed object: the attributes of `object` it may write. */
export function writableKeysOf<P>(object: string): RequestFn<Settings, P, DynamicFieldResponse> {
  return (request, { settings, auth }) => writableAttributeChoices(request, { settings, auth }, object)
}

/** A key-value field whose keys are Attio attribute slugs (or ids) of one object. */
export function attributeMap(label: string, objectNoun: string): InputField {
  return {
    label,
    description: `Additional ${objectNoun} attributes. The left side is a value from the event (or fixed text), the right side the Attio attribute's slug or ID on the ${objectNoun} object. The attribute must exist in Attio (Attio never creates attributes); each value is checked and written in the form the attribute's type needs (e.g. a phone number with a leading + or the default phone country, a select option by its title, a date as YYYY-MM-DD), and null unsets a value (a multiselect value only when Multiselect mode is replace: append never removes values).`,
    type: 'object',
    required: false,
    defaultObjectUI: 'keyvalue:only',
    additionalProperties: true,
    dynamic: true
  }
}

/**
 * The entries of a key-value attribute field as value inputs, named `<field>.<key>` in errors, added to
 * `into` (the record's other values: one list per record, not one more to spread into it).
 */
export function valuesFrom(
  field: string,
  map: Record<string, unknown> | undefined,
  into: ValueInput[] = []
): ValueInput[] {
  if (!map) return into
  // Counted first, so the list is made at its length: pushed onto, a short list grows by 16 slots or more.
  let count = 0
  for (const attribute in map) if (Object.prototype.hasOwnProperty.call(map, attribute)) count++
  if (count === 0) return into
  const values: ValueInput[] = new Array(into.length + count)
  for (let index = 0; index < into.length; index++) values[index] = into[index]
  let at = into.length
  for (const attribute in map) {
    if (!Object.prototype.hasOwnProperty.call(map, attribute)) continue
    values[at++] = { attribute, value: map[attribute], field: fieldPath(field, attribute) }
  }
  return values
}

/** Batching fields every action has: the host batches events when `enable_batching` is on. */
export const batchingFields: Record<string, InputField> = {
  enable_batching: {
    label: 'Send events in batches',
    description:
      'Send events to Attio in batches through its bulk endpoint: thousands of events in a few requests. Every event is still checked before it is sent and gets its own result, but Attio applies batched records asynchronously (a few seconds after accepting them), so records appear shortly after the batch is accepted.',
    type: 'boolean',
    default: false
  },
  batch_size: {
    label: 'Maximum batch size',
    description:
      "The most events in one batch: their records go to Attio in one request, each followed by the assertion of its links (a Workspace's users), unless that would pass Attio's limit of 10,000 assertions per request, nested ones included.",
    type: 'number',
    default: DEFAULT_BATCH_SIZE,
    minimum: 1,
    maximum: MAX_BATCH_SIZE,
    unsafe_hidden: true
  },
  received_at: {
    label: 'Received at',
    description:
      'When the event was received. In a batch, events for the same record are applied in this order: the latest value wins.',
    type: 'datetime',
    default: { '@path': '$.receivedAt' }
  }
}

/** How an action's records are prepared: the multiselect mode and the phone country default. */
export function prepareOptions(
  payload: { multiselect_mode?: string },
  settings: { default_phone_country?: string }
): PrepareOptions {
  return {
    multiselect: payload.multiselect_mode === 'replace' ? 'replace' : 'append',
    defaultCountry: settings.default_phone_country
  }
}

/** The batch items of an action's payloads: each built by the same function as the single path. */
export function batchItems<P extends { multiselect_mode?: string; received_at?: string | number }>(
  payloads: P[],
  settings: { default_phone_country?: string },
  build: (payload: P) => RecordAssertion
): BatchItem[] {
  // The events of a batch almost always share their options: one object per distinct multiselect mode.
  const shared = new Map<string | undefined, PrepareOptions>()
  const items: BatchItem[] = new Array(payloads.length)
  for (let index = 0; index < payloads.length; index++) {
    const payload = payloads[index]
    let options = shared.get(payload.multiselect_mode)
    if (!options) shared.set(payload.multiselect_mode, (options = prepareOptions(payload, settings)))
    items[index] = new PayloadItem(payload, build, options)
  }
  return items
}

/**
 * A batch item built from its payload: one object per event, kept to the end of the batch, instead of an
 * object, a closure and the closure's context (`build` is a method: callers call it on the item).
 */
class PayloadItem<P extends { received_at?: string | number }> implements BatchItem {
  readonly receivedAt: string | undefined

  constructor(
    private readonly payload: P,
    private readonly builder: (payload: P) => RecordAssertion,
    readonly options: PrepareOptions
  ) {
    this.receivedAt = payload.received_at === undefined ? undefined : String(payload.received_at)
  }

  build(): RecordAssertion {
    return this.builder(this.payload)
  }
}

/**
 * The perform and performBatch of an action whose every event makes one record to assert (with the records
 * it references, written first): one event asserts it, a batch delivers every event's through the batch path.
 */
export function assertEach<
  P extends { multiselect_mode?: string; received_at?: string | number; batch_size?: number }
>(build: (payload: P) => RecordAssertion): Pick<ActionDefinition<Settings, P>, 'perform' | 'performBatch'> {
  return {
    perform: (request, { payload, settings, auth, statsContext, logger, signal }) =>
      connect(request, { settings, auth, statsContext, logger, signal }).assertRecords(
        [build(payload)],
        prepareOptions(payload, settings)
      ),
    performBatch: (request, { payload, settings, auth, statsContext, logger, signal }) =>
      connect(request, { settings, auth, statsContext, logger, signal }).assertBatch(
        batchItems(payload, settings, build),
        { batchSize: payload[0]?.batch_size }
      )
  }
}
