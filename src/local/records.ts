/**
 * The emulator's records as the page shows them: read from its test-only `GET /_emulator/state` route with
 * got (HTTP outside the actions-core runtime), every non-empty value reduced to a short text.
 */

export interface RecordSummary {
  record_id: string
  created_at?: string
  /** Attribute slug → the values as text, non-empty attributes only. */
  values: Record<string, string[]>
}

export type RecordsByObject = Record<string, RecordSummary[]>

/** Shown as the record's own fields, or noise on every record. */
const SYSTEM_ATTRIBUTES = new Set(['record_id', 'created_at', 'created_by'])

const META = new Set(['active_from', 'active_until', 'created_by_actor', 'attribute_type'])

/** One Attio value (as a record read shows it) as text. */
export function valueText(value: Record<string, unknown>): string {
  const type = value.attribute_type
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const item = value[key]
      if (item !== null && item !== undefined && item !== '')
        return typeof item === 'string' ? item : JSON.stringify(item)
    }
    return undefined
  }
  switch (type) {
    case 'email-address':
      return pick('email_address', 'original_email_address') ?? ''
    case 'personal-name':
      return pick('full_name', 'first_name', 'last_name') ?? ''
    case 'domain':
      return pick('domain') ?? ''
    case 'phone-number':
      return pick('original_phone_number', 'phone_number') ?? ''
    case 'select': {
      const option = value.option as { title?: string } | undefined
      return option?.title ?? ''
    }
    case 'status': {
      const status = value.status as { title?: string } | undefined
      return status?.title ?? ''
    }
    case 'record-reference':
      return `${String(value.target_object ?? 'record')} ${String(value.target_record_id ?? '')}`.trim()
    case 'actor-reference':
      return `${String(value.referenced_actor_type ?? 'actor')} ${String(value.referenced_actor_id ?? '')}`.trim()
    case 'currency':
      return `${pick('currency_value') ?? ''}${value.currency_code ? ` ${String(value.currency_code)}` : ''}`
    case 'location':
      return ['line_1', 'line_2', 'locality', 'region', 'postcode', 'country_code']
        .map((key) => value[key])
        .filter((part) => typeof part === 'string' && part !== '')
        .join(', ')
    default: {
      if ('value' in value) return pick('value') ?? ''
      const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !META.has(key)))
      return JSON.stringify(rest)
    }
  }
}

function summarize(record: {
  record_id: string
  created_at?: string
  values?: Record<string, unknown>
}): RecordSummary {
  const values: Record<string, string[]> = {}
  for (const [slug, items] of Object.entries(record.values ?? {})) {
    if (SYSTEM_ATTRIBUTES.has(slug) || !Array.isArray(items) || items.length === 0) continue
    const texts = items
      .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object')
      .map(valueText)
      .filter((text) => text !== '')
    if (texts.length > 0) values[slug] = texts
  }
  return {
    record_id: record.record_id,
    ...(record.created_at ? { created_at: record.created_at } : {}),
    values
  }
}

/** Summaries of an emulator state (`GET /_emulator/state`). */
export function summarizeState(state: unknown): RecordsByObject {
  const result: RecordsByObject = {}
  if (!state || typeof state !== 'object') return result
  for (const [object, records] of Object.entries(state as Record<string, unknown>)) {
    if (!Array.isArray(records)) continue
    result[object] = records
      .filter((record): record is { record_id: string } => typeof record?.record_id === 'string')
      .map(summarize)
  }
  return result
}

/** Reads and summarizes the emulator's records. */
export async function emulatorRecords(emulatorUrl: string): Promise<RecordsByObject> {
  const { default: got } = await import('got')
  const state = await got(`${emulatorUrl.replace(/\/+$/, '')}/_emulator/state`, {
    timeout: { request: 5000 }
  }).json()
  return summarizeState(state)
}

/** One entry of a list, as the page shows it: its parent record and its values as text. */
export interface EntrySummary {
  entry_id: string
  parent_record_id: string
  parent_object: string
  values: Record<string, string[]>
}

/**
 * The entries of a list in the emulator (at most 100), read through its documented query route with the
 * emulator's own key: what the page shows after a Sync List Entry.
 */
export async function emulatorEntries(
  emulatorUrl: string,
  apiKey: string,
  list: string
): Promise<EntrySummary[]> {
  const { default: got } = await import('got')
  const body = await got
    .post(`${emulatorUrl.replace(/\/+$/, '')}/v2/lists/${encodeURIComponent(list)}/entries/query`, {
      headers: { authorization: `Bearer ${apiKey}` },
      json: { limit: 100 },
      timeout: { request: 5000 }
    })
    .json<{
      data: Array<{
        id: { entry_id: string }
        parent_record_id: string
        parent_object: string
        entry_values?: Record<string, unknown>
      }>
    }>()
  return body.data.map((entry) => ({
    entry_id: entry.id.entry_id,
    parent_record_id: entry.parent_record_id,
    parent_object: entry.parent_object,
    values: summarize({ record_id: entry.id.entry_id, values: entry.entry_values }).values
  }))
}
