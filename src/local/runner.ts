/**
 * Runs the destination the way a CDP host does, through actions-core's public API, for the local server
 * and the CLI: an action on one event (`Action.execute`) or on many (`Action.executeBatch`, the
 * performBatch path), a dynamic field, the authentication test. Every run gets its own `Destination`, so
 * the HTTP exchanges it captures are that run's only, even when runs overlap. Answers are JSON-safe and
 * carry no credential.
 */
import {
  defaultValues,
  Destination,
  type DestinationDefinition,
  type DynamicFieldResponse,
  type JSONObject,
  type SegmentEvent
} from '@segment/actions-core'
import { recordsWrittenBefore } from '../api'
import attio from '../destinations/attio'
import type { Settings } from '../destinations/attio/generated-types'
import { takeExchanges, type Exchange } from './exchanges'
import { unresolvable } from './depth'
import { describeFailure, type Failure } from './failure'
import { dynamicFieldPaths, manifestOf, type Manifest } from './manifest'
import { checkMapping, type MappingProblem } from './mapping-check'
import type { ActionCatalog } from './mapping-file'
import { chosenFields, missingFieldProblems } from './missing-fields'
import { redactDeep, secretList } from '../api/core/redact'

export interface Auth {
  accessToken?: string
  refreshToken?: string
}

export interface RunInput {
  /** A Segment event, or an array of them for the batch path. */
  payload: unknown
  /** Merged over the action's default mapping. */
  mapping?: Record<string, unknown>
  settings?: Partial<Settings>
  auth?: Auth
}

/** One event's outcome in a batch: actions-core's multi-status entry, plus the field an error concerns. */
export interface BatchEventOutcome {
  status: number
  body?: unknown
  sent?: unknown
  errortype?: string
  errormessage?: string
  field?: string
}

export interface ActionAnswer {
  ok: boolean
  action: string
  batch: boolean
  /** Every HTTP exchange with Attio, in order. */
  exchanges: Exchange[]
  /** What the action returned (single event). */
  result?: unknown
  /** One entry per event (batch). */
  multistatus?: BatchEventOutcome[]
  error?: Failure
  durationMs: number
}

export type { Manifest, ManifestAction } from './manifest'

export interface RunnerOptions {
  definition?: DestinationDefinition<Settings>
  /** The credential used when a request carries none: the emulator's token, or ATTIO_API_KEY. */
  defaultApiKey?: string
}

export class UnknownRouteError extends Error {
  readonly status = 404
}

/** A Segment event as actions-core's mapping kit takes it: any JSON object. */
type EventData = Record<string, unknown>

function isEvent(value: unknown): value is EventData {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export class LocalRunner {
  readonly definition: DestinationDefinition<Settings>
  private readonly defaultApiKey?: string

  constructor(options: RunnerOptions = {}) {
    this.definition = options.definition ?? attio
    this.defaultApiKey = options.defaultApiKey?.trim() || undefined
  }

  /** The actions as the mapping file parser checks them (src/local/mapping-file.ts). */
  actionCatalog(): ActionCatalog {
    return Object.fromEntries(
      Object.entries(this.definition.actions).map(([slug, action]) => [
        slug,
        {
          slug,
          title: action.title,
          fields: action.fields,
          ...(action.syncMode ? { syncModes: action.syncMode.choices.map((choice) => choice.value) } : {})
        }
      ])
    )
  }

  actionSlugs(): string[] {
    return Object.keys(this.definition.actions)
  }

  hasAction(slug: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.definition.actions, slug)
  }

  manifest(): Manifest {
    return manifestOf(this.definition)
  }

  /** The settings with the default credential filled in when neither an API key nor an OAuth token is given. */
  effectiveSettings(settings: Partial<Settings> | undefined, auth?: Auth): Settings {
    const result = { ...(settings ?? {}) } as Settings
    const given = result.api_key?.trim() || auth?.accessToken?.trim()
    if (!given && this.defaultApiKey) result.api_key = this.defaultApiKey
    return result
  }

  /** Every secret a run may meet, for redaction. */
  secretsOf(settings?: Partial<Settings>, auth?: Auth): string[] {
    return secretList([settings?.api_key, auth?.accessToken, auth?.refreshToken, this.defaultApiKey])
  }

  private fieldNames(slug: string): string[] {
    return Object.keys(this.definition.actions[slug]?.fields ?? {})
  }

  /** The mapping a run uses: the action's defaults, with what is given on top. */
  mappingFor(slug: string, mapping: Record<string, unknown> | undefined): JSONObject {
    const fields = this.definition.actions[slug].fields
    return { ...defaultValues(fields), ...(mapping ?? {}) } as JSONObject
  }

  /** The problems of a given mapping (see mapping-check), remembered per mapping object: replays reuse one. */
  mappingProblems(slug: string, mapping: Record<string, unknown> | undefined): MappingProblem[] {
    if (!mapping) return []
    const known = this.checked.get(mapping)
    if (known && known.slug === slug) return known.problems
    const problems = checkMapping(mapping, this.actionCatalog()[slug])
    this.checked.set(mapping, { slug, problems })
    return problems
  }

  private readonly checked = new WeakMap<object, { slug: string; problems: MappingProblem[] }>()

  /** Field labels of an action, for messages. */
  private labels(slug: string): Record<string, string | undefined> {
    const fields = this.definition.actions[slug]?.fields ?? {}
    return Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.label]))
  }

  /** A failure described, with missing required fields explained against the mapping that was used. */
  private failureOf(error: unknown, slug: string, mapping: JSONObject | undefined): Failure {
    const failure = describeFailure(error, this.fieldNames(slug))
    const missing =
      failure.code === 'PAYLOAD_VALIDATION_FAILED' && mapping
        ? missingFieldProblems(
            failure.message,
            mapping,
            this.labels(slug),
            chosenFields(this.definition.actions[slug]?.fields ?? {})
          )
        : undefined
    return missing ? withProblems(failure, missing) : failure
  }

  async runAction(slug: string, input: RunInput): Promise<ActionAnswer> {
    if (!this.hasAction(slug))
      throw new UnknownRouteError(`No action "${slug}": the actions are ${this.actionSlugs().join(', ')}.`)
    const started = Date.now()
    const settings = this.effectiveSettings(input.settings, input.auth)
    const secrets = this.secretsOf(settings, input.auth)
    const auth = { accessToken: input.auth?.accessToken ?? '', refreshToken: input.auth?.refreshToken ?? '' }
    const destination = new Destination<Settings>(this.definition)
    const action = destination.actions[slug]
    const batch = Array.isArray(input.payload)
    const answer: ActionAnswer = { ok: false, action: slug, batch, exchanges: [], durationMs: 0 }
    let mapping: JSONObject | undefined
    try {
      // A mistake in the mapping is an error on its field, before anything is sent.
      const problems = this.mappingProblems(slug, input.mapping)
      if (problems.length > 0) {
        throw Object.assign(new Error(problems.map((problem) => problem.message).join(' ')), {
          status: 400,
          code: 'INVALID_MAPPING',
          problems
        })
      }
      mapping = this.mappingFor(slug, input.mapping)
      if (batch) {
        const events = input.payload as unknown[]
        if (events.length === 0)
          throw Object.assign(new Error('The batch is empty: send at least one event.'), { status: 400 })
        const bad = events.findIndex((event) => !isEvent(event))
        if (bad >= 0) {
          throw Object.assign(new Error(`Event ${bad + 1} of the batch is not a JSON object.`), {
            status: 400
          })
        }
        // An event actions-core cannot resolve would fail the whole batch: it gets its own 400 instead.
        const used = mapping
        const nodes: unknown[] = events.map((event) => refusalNode(used, event as EventData))
        const deliverable = nodes.flatMap((node, index) => (node === undefined ? [index] : []))
        if (deliverable.length > 0) {
          const data = deliverable.map((index) => events[index] as EventData)
          const delivered = await action.executeBatch({ data, mapping: used, settings, auth })
          deliverable.forEach((index, position) => (nodes[index] = delivered[position]))
        }
        answer.multistatus = nodes.map((node) => this.outcomeOf(node, slug, used))
        answer.ok = answer.multistatus.every((outcome) => outcome.status >= 200 && outcome.status < 300)
      } else {
        if (!isEvent(input.payload)) {
          throw Object.assign(
            new Error('payload must be a Segment event (a JSON object) or an array of events.'),
            {
              status: 400
            }
          )
        }
        const refused = unresolvable(mapping, input.payload)
        if (refused) throw refused
        const results = await action.execute({ data: input.payload, mapping, settings, auth })
        answer.result = results.find((result) => result.data !== undefined)?.data
        answer.ok = true
      }
    } catch (error) {
      answer.error = this.failureOf(error, slug, mapping)
      // What the event wrote before it failed (the Company and Workspace of a group whose User is missing).
      const written = recordsWrittenBefore(error)
      if (written) answer.result = { records: written }
    }
    answer.exchanges = takeExchanges(destination.responses)
    answer.durationMs = Date.now() - started
    return redactDeep(answer, secrets)
  }

  /**
   * A user deletion request for `userId`, as a host sends one (the definition's onDelete), with the
   * settings' `on_delete_request` deciding what is deleted. Answered like an action named "onDelete".
   */
  async runDeletion(userId: string, input: { settings?: Partial<Settings> }): Promise<ActionAnswer> {
    const started = Date.now()
    const settings = this.effectiveSettings(input.settings)
    const secrets = this.secretsOf(settings)
    const destination = new Destination<Settings>(this.definition)
    const answer: ActionAnswer = { ok: false, action: 'onDelete', batch: false, exchanges: [], durationMs: 0 }
    try {
      const result = await destination.onDelete?.(
        { type: 'delete', userId } as unknown as SegmentEvent,
        settings as unknown as JSONObject
      )
      answer.result = result
      answer.ok = true
    } catch (error) {
      answer.error = describeFailure(error, [])
    }
    answer.exchanges = takeExchanges(destination.responses)
    answer.durationMs = Date.now() - started
    return redactDeep(answer, secrets)
  }

  async runDynamicField(
    slug: string,
    field: string,
    input: { settings?: Partial<Settings>; auth?: Auth; payload?: unknown; page?: string }
  ): Promise<DynamicFieldResponse> {
    const paths = this.hasAction(slug) ? dynamicFieldPaths(this.definition.actions[slug].dynamicFields) : []
    if (!paths.includes(field)) {
      throw new UnknownRouteError(
        this.hasAction(slug)
          ? `The action "${slug}" has no dynamic field "${field}"; it has ${paths.join(', ') || 'none'}.`
          : `No action "${slug}": the actions are ${this.actionSlugs().join(', ')}.`
      )
    }
    const settings = this.effectiveSettings(input.settings, input.auth)
    const auth = { accessToken: input.auth?.accessToken ?? '', refreshToken: input.auth?.refreshToken ?? '' }
    const destination = new Destination<Settings>(this.definition)
    const payload = isEvent(input.payload) ? input.payload : {}
    let response: DynamicFieldResponse
    try {
      response = await destination.actions[slug].executeDynamicField(field, {
        settings,
        auth,
        payload,
        ...(input.page ? { page: input.page } : {})
      })
    } catch (error) {
      const failure = describeFailure(error)
      response = { choices: [], error: { code: String(failure.status), message: failure.message } }
    }
    destination.responses.splice(0)
    return redactDeep(response, this.secretsOf(settings, input.auth))
  }

  /** actions-core's authentication test with these settings: `{ok: true}` or the reason. */
  async authenticate(
    settingsInput:
      (Partial<Settings> & { oauth?: { access_token?: string; refresh_token?: string } }) | undefined,
    authInput?: Auth
  ): Promise<{ ok: true; notes?: string[] } | { ok: false; error: Failure }> {
    const { oauth, ...plain } = settingsInput ?? {}
    const auth: Auth | undefined =
      authInput ??
      (oauth ? { accessToken: oauth.access_token, refreshToken: oauth.refresh_token } : undefined)
    const settings = this.effectiveSettings(plain, auth)
    // actions-core rethrows a failed test as a plain Error ("Credentials are invalid: …") without its status:
    // keep the destination's own error to describe.
    let original: unknown
    /** What the test answered (the destination's notes on scopes some actions need). */
    let answered: unknown
    const authentication = this.definition.authentication
    const test = authentication?.testAuthentication
    const definition: DestinationDefinition<Settings> =
      authentication && test
        ? {
            ...this.definition,
            authentication: {
              ...authentication,
              testAuthentication: async (request, data) => {
                try {
                  answered = await test(request, data)
                  return answered
                } catch (error) {
                  original = error
                  throw error
                }
              }
            }
          }
        : this.definition
    const destination = new Destination<Settings>(definition)
    const tokens = auth?.accessToken
      ? { oauth: { access_token: auth.accessToken, refresh_token: auth.refreshToken ?? '' } }
      : {}
    try {
      await destination.testAuthentication({ ...settings, ...tokens } as Settings)
      const notes = (answered as { notes?: unknown } | undefined)?.notes
      return Array.isArray(notes) && notes.length > 0
        ? { ok: true, notes: notes.filter((note): note is string => typeof note === 'string') }
        : { ok: true }
    } catch (error) {
      const failure = describeFailure(original ?? error, Object.keys(authentication?.fields ?? {}))
      return redactDeep({ ok: false, error: failure }, this.secretsOf(settings, auth))
    }
  }

  private outcomeOf(node: unknown, slug: string, mapping: JSONObject): BatchEventOutcome {
    // actions-core gives plain objects here (ResultMultiStatusNode); copy the documented keys only.
    const entry = (node ?? {}) as Record<string, unknown>
    const outcome: BatchEventOutcome = { status: typeof entry.status === 'number' ? entry.status : 500 }
    if (entry.body !== undefined) outcome.body = entry.body
    if (entry.sent !== undefined) outcome.sent = entry.sent
    if (typeof entry.errortype === 'string') outcome.errortype = entry.errortype
    if (typeof entry.errormessage === 'string') {
      const missing = missingFieldProblems(
        entry.errormessage,
        mapping,
        this.labels(slug),
        chosenFields(this.definition.actions[slug]?.fields ?? {})
      )
      outcome.errormessage = missing
        ? missing.map((problem) => problem.message).join(' ')
        : entry.errormessage
      const field =
        missing?.[0].field ??
        describeFailure({ message: entry.errormessage, status: outcome.status }, this.fieldNames(slug)).field
      if (field) outcome.field = field
    }
    return outcome
  }
}

/** actions-core's multi-status entry for an event it could not resolve the mapping on, or undefined. */
function refusalNode(mapping: JSONObject, event: EventData): Record<string, unknown> | undefined {
  const refused = unresolvable(mapping, event)
  return refused && { status: 400, errortype: refused.code, errormessage: refused.message }
}

function withProblems(failure: Failure, problems: MappingProblem[]): Failure {
  return {
    ...failure,
    message: problems.map((problem) => problem.message).join(' '),
    field: problems[0].field,
    problems
  }
}
