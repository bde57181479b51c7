/** Public types of the Attio emulator. The emulator imports nothing from outside `src/emulator`. */

export type AttributeType =
  | 'text'
  | 'number'
  | 'checkbox'
  | 'currency'
  | 'date'
  | 'timestamp'
  | 'rating'
  | 'status'
  | 'select'
  | 'record-reference'
  | 'actor-reference'
  | 'location'
  | 'domain'
  | 'email-address'
  | 'phone-number'
  | 'interaction'
  | 'personal-name'

export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  'text',
  'number',
  'checkbox',
  'currency',
  'date',
  'timestamp',
  'rating',
  'status',
  'select',
  'record-reference',
  'actor-reference',
  'location',
  'domain',
  'email-address',
  'phone-number',
  'interaction',
  'personal-name'
]

export type FaultKind = '500' | '503' | 'hang' | 'reset'
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', 'hang', 'reset']

export type OptionalObjectSlug = 'deals' | 'users' | 'workspaces'

/** A custom attribute added by a seed. */
export interface EmulatorSeedAttribute {
  api_slug: string
  title?: string
  description?: string | null
  type: AttributeType
  is_multiselect?: boolean
  is_unique?: boolean
  is_required?: boolean
  /** Archived attributes are listed with `show_archived=true` only; writing one is a 400. */
  is_archived?: boolean
  /** Select option titles (type `select`). */
  options?: string[]
  /** Status titles (type `status`). */
  statuses?: string[]
  /** ISO 4217 code for `currency` attributes (default USD). */
  currency_code?: string
  display_type?: 'code' | 'name' | 'narrowSymbol' | 'symbol'
  /** Object slugs a `record-reference` attribute may point to. */
  allowed_objects?: string[]
}

export interface EmulatorSeedMember {
  email_address: string
  first_name?: string
  last_name?: string
  access_level?: 'admin' | 'member' | 'suspended'
}

/** A custom object added by a seed: it has the system attributes, and the attributes the seed gives it. */
export interface EmulatorSeedObject {
  api_slug: string
  singular_noun: string
  plural_noun: string
}

/** A list of the seed: its parent object and its own attributes (status ones for a pipeline's stages). */
export interface EmulatorSeedList {
  api_slug: string
  name: string
  /** The slug of the object whose records the list's entries are about. */
  parent_object: string
  attributes?: EmulatorSeedAttribute[]
}

/** Seed data: custom objects, extra custom attributes (per object slug), lists and workspace members. */
export interface EmulatorSeed {
  workspace?: { name?: string; slug?: string }
  members?: EmulatorSeedMember[]
  objects?: EmulatorSeedObject[]
  attributes?: Record<string, EmulatorSeedAttribute[]>
  lists?: EmulatorSeedList[]
}

export interface EmulatorActor {
  type: 'api-token' | 'workspace-member' | 'system' | 'app'
  id: string | null
}

/** One active attribute value, as Attio's read response shows it. */
export interface EmulatorValue {
  active_from: string
  active_until: null
  created_by_actor: EmulatorActor
  attribute_type: AttributeType
  [property: string]: unknown
}

export interface EmulatorRecordState {
  record_id: string
  created_at: string
  /** Keyed by attribute slug; every visible, non-archived attribute, `[]` when empty (like a GET of the record). */
  values: Record<string, EmulatorValue[]>
}

/** Records per (activated) object slug, in creation order. */
export type EmulatorState = Record<string, EmulatorRecordState[]>

export interface EmulatorStats {
  /** Requests by `METHOD route-template`, e.g. `PUT /v2/objects/{object}/records` (test-only routes excluded). */
  requests: Record<string, number>
  /** Read requests received (GET and the records query POST), whatever their outcome. */
  reads: number
  /** Write requests received (PUT, POST, PATCH, DELETE and the bulk PUT), whatever their outcome. */
  writes: number
  /** 429 responses sent. */
  rateLimited: number
  faults: {
    total: number
    byKind: Record<FaultKind, number>
    /** Faulted writes that had been applied before the fault was delivered. */
    applied: number
  }
  bulk: {
    /** Accepted (202) bulk requests. */
    requests: number
    /** Top-level assertions applied / dropped. */
    applied: number
    dropped: number
    /** Bulk requests accepted but not applied yet. */
    pending: number
  }
}

export interface BulkLogEntry {
  /** Sequence number of the bulk request (1-based, per emulator). */
  batch: number
  /** Index of the dropped assertion in that request's `assertions`. */
  index: number
  object: unknown
  code: string
  reason: string
  at: string
}

export interface EmulatorTokenConfig {
  token: string
  scopes: string[]
  active?: boolean
}

export interface EmulatorFaultOptions {
  seed: number
  /** Share of requests (0..1) that get a fault. */
  rate: number
  kinds?: FaultKind[]
  /** How long a 'hang' holds the response (default 15000 ms). */
  hangMs?: number
  /** Probability (0..1) that a faulted write was applied before the fault; default 0.5. */
  applyBeforeFault?: number
}

export interface EmulatorOptions {
  /** 0 = random; always binds 127.0.0.1 only. */
  port?: number
  /** Default: one random token with all scopes. */
  tokens?: EmulatorTokenConfig[]
  /** Default false in-process (true in the CLI); true = 100 reads / 25 writes per second per token. */
  rateLimits?: boolean | { readsPerSecond: number; writesPerSecond: number }
  faults?: EmulatorFaultOptions
  /** Optional standard objects are activated by default; false = deactivated (404 not_found like Attio). */
  objects?: Partial<Record<OptionalObjectSlug, boolean>>
  /** Path to a JSON seed file or the seed itself; default: the bundled default seed. */
  seed?: string | EmulatorSeed
  /** Path to Attio's openapi.json: validate every request body/params against it. */
  spec?: string
  /** Default true; false => PUT /v2/batch/records answers 404. */
  bulkEndpoint?: boolean
  /** Delay between the bulk 202 and applying its assertions (default 50 ms). */
  bulkDelayMs?: number
  /**
   * Network latency: each answer to an API request is held for a random time from `minMs` to `maxMs` after the
   * request was processed (seeded), so the answers to concurrent requests can arrive in another order than the
   * emulator applied them. Off by default.
   */
  latency?: { minMs: number; maxMs: number; seed?: number }
  log?: (line: string) => void
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT */
  url: string
  /** A token with all scopes. */
  apiKey: string
  close(): Promise<void>
  /** Empty all records (and the bulk log), keep definitions. */
  reset(): void
  state(): EmulatorState
  /** The entries of a list (by api slug or id) as `GET /v2/lists/{list}/entries/{entry_id}` answers each; [] for an unknown list. */
  entries(list: string): Array<Record<string, unknown>>
  stats(): EmulatorStats
  resetStats(): void
  bulkLog(): BulkLogEntry[]
  /** Resolves when queued bulk assertions have been applied. */
  settle(): Promise<void>
}
