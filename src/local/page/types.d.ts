/**
 * The types the page's modules share, most of them the server's own (imported, so that a change in
 * what the server answers is a type error in the page). Type-checked by src/local/page/tsconfig.json;
 * never served.
 */
import type { InputField } from '@segment/actions-core'
import type { DeletionReport, ListEntryOutcome, WriteOutcome } from '../../api'
import type { Failure } from '../failure'
import type { Subscription } from '../mapping-file'
import type { EntrySummary, RecordsByObject, RecordSummary } from '../records'
import type { ActionAnswer, BatchEventOutcome, Manifest, ManifestAction } from '../runner'

export type {
  DeletionReport,
  ListEntryOutcome,
  ActionAnswer,
  EntrySummary,
  BatchEventOutcome,
  Failure,
  InputField,
  Manifest,
  ManifestAction,
  RecordsByObject,
  RecordSummary,
  Subscription,
  WriteOutcome
}

/** GET /_local/info */
export interface LocalInfo {
  target: 'emulator' | 'attio'
  apiUrl: string
  actions: string[]
}

/** GET /_local/records */
export interface RecordsAnswer {
  records: RecordsByObject
  counts: Record<string, number>
}

/** GET /_local/entries?list= */
export interface EntriesAnswer {
  list: string
  entries: EntrySummary[]
}

/** POST /_local/trigger */
export interface TriggerAnswer {
  /** Why the trigger cannot be evaluated, when it cannot. */
  problem?: string
  /** Whether every event given matches it. */
  matches: boolean
  /** How many of the events given do not. */
  unmatched: number
}

/** POST /_local/mapping-file */
export interface MappingFileAnswer {
  subscriptions: Subscription[]
}

/** A dynamic field's answer (actions-core's DynamicFieldResponse as the page reads it). */
export interface ChoicesAnswer {
  choices: Array<{ label: string; value: string; description?: string }>
  error?: { message: string }
}

/** POST /authenticate */
export type AuthenticateAnswer = { ok: true; notes?: string[] } | { ok: false; error: Failure }

/** A Segment event, or anything pasted in its place. */
export type EventJson = Record<string, unknown>

/** A mapping value read from an input: the value, or why it cannot be one. */
export type ReadValue = { value: unknown } | { error: string }

/** How the form reads one field: its value (undefined: not mapped), or the problems of its inputs. */
export type FieldReader = () => { value: unknown; problems: Array<{ field: string; message: string }> }

/** The settings a request carries (the form's), and the OAuth token given as `auth`. */
export type SettingsValues = Record<string, string | number | boolean>

/** What an element may be given as children: nodes, text, nothing, or lists of them. */
export type Child = Node | string | number | null | undefined | false | Child[]
