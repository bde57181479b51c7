/**
 * The bulk endpoint used by Segment's Attio destination (not in Attio's public reference): PUT /v2/batch/records
 * answers 202 at once and applies its assertions later, in order, nested assertions first. An assertion that cannot
 * be applied is dropped without a word to the client; the emulator records why in its bulk log.
 */
import { ApiError, notFound, payloadError, validationType, type ValidationIssue } from './errors'
import { assertRecord } from './records'
import type { StatsRecorder } from './stats'
import type { BulkLogEntry, EmulatorActor } from './types'
import { isPlainObject, jsonType, nowTimestamp } from './util'
import type { RecordData } from './model'
import type { Workspace } from './workspace'

export const MAX_BULK_ASSERTIONS = 10_000

export interface BulkAssertion {
  object: string
  mode: 'create-or-update'
  matching_attribute: string
  multiselect_values?: 'append' | 'replace'
  values: Record<string, unknown>
  received_at?: string
}

function assertionIssues(a: unknown, path: Array<string | number>): ValidationIssue[] {
  const issue = (key: string, expected: string, received: unknown): ValidationIssue => ({
    code: 'invalid_type',
    path: [...path, key],
    message: `Expected ${expected}, received ${jsonType(received)}`,
    expected,
    received: jsonType(received)
  })
  if (!isPlainObject(a))
    return [
      { code: 'invalid_type', path, message: 'Expected object', expected: 'object', received: jsonType(a) }
    ]
  const issues: ValidationIssue[] = []
  if (typeof a.object !== 'string') issues.push(issue('object', 'string', a.object))
  if (a.mode !== 'create-or-update')
    issues.push({
      code: 'invalid_enum_value',
      path: [...path, 'mode'],
      message: `Invalid enum value. Expected 'create-or-update', received ${JSON.stringify(a.mode) ?? 'undefined'}`,
      expected: '"create-or-update"',
      received: JSON.stringify(a.mode) ?? 'undefined'
    })
  if (typeof a.matching_attribute !== 'string')
    issues.push(issue('matching_attribute', 'string', a.matching_attribute))
  if (!isPlainObject(a.values)) issues.push(issue('values', 'object', a.values))
  if (
    a.multiselect_values !== undefined &&
    a.multiselect_values !== 'append' &&
    a.multiselect_values !== 'replace'
  )
    issues.push({
      code: 'invalid_enum_value',
      path: [...path, 'multiselect_values'],
      message: "Invalid enum value. Expected 'append' | 'replace'",
      expected: '"append" | "replace"',
      received: JSON.stringify(a.multiselect_values)
    })
  if (a.received_at !== undefined && typeof a.received_at !== 'string')
    issues.push(issue('received_at', 'string', a.received_at))
  return issues
}

/** Checks the top-level shape of a bulk body; throws a 400 when it is not `{assertions: [...]}` as documented. */
export function parseBulkBody(body: unknown): BulkAssertion[] {
  if (!isPlainObject(body) || !Array.isArray(body.assertions))
    throw payloadError([
      {
        code: 'invalid_type',
        path: ['assertions'],
        message: 'Expected array',
        expected: 'array',
        received: jsonType(isPlainObject(body) ? body.assertions : body)
      }
    ])
  if (body.assertions.length > MAX_BULK_ASSERTIONS)
    throw payloadError([
      {
        code: 'too_big',
        path: ['assertions'],
        message: `A batch may contain at most ${MAX_BULK_ASSERTIONS} assertions; got ${body.assertions.length}.`
      }
    ])
  const issues = body.assertions.flatMap((a, i) => assertionIssues(a, ['assertions', i]))
  if (issues.length) throw payloadError(issues.slice(0, 50))
  return body.assertions as BulkAssertion[]
}

const isNested = (v: unknown): v is Record<string, unknown> =>
  isPlainObject(v) && typeof v.object === 'string' && isPlainObject(v.values)

/** Asserts one (possibly nested) assertion; nested assertions in its values are asserted first. */
export function applyAssertion(ws: Workspace, a: unknown, actor: EmulatorActor): RecordData {
  const issues = assertionIssues(a, [])
  if (issues.length)
    throw validationType(
      `Invalid nested assertion: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
    )
  const assertion = a as BulkAssertion
  const object = ws.object(assertion.object)
  if (!object) throw notFound(`Object with slug/ID "${assertion.object}" was not found.`)
  const values: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(assertion.values)) {
    const ref = (n: unknown): unknown => {
      if (!isNested(n)) return n
      const rec = applyAssertion(ws, n, actor)
      return { target_object: rec.object, target_record_id: rec.id }
    }
    values[key] = Array.isArray(v) ? v.map(ref) : ref(v)
  }
  return assertRecord(
    ws,
    object,
    assertion.matching_attribute,
    values,
    actor,
    assertion.multiselect_values ?? 'replace'
  ).record
}

export class BulkProcessor {
  private seq = 0
  private readonly timers = new Set<NodeJS.Timeout>()
  private waiters: Array<() => void> = []
  readonly log: BulkLogEntry[] = []

  constructor(
    private readonly ws: Workspace,
    private readonly stats: StatsRecorder,
    private readonly delayMs: number,
    private readonly logLine?: (line: string) => void
  ) {}

  enqueue(assertions: BulkAssertion[], actor: EmulatorActor): void {
    const batch = ++this.seq
    this.stats.bulkAccepted()
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.apply(batch, assertions, actor)
      this.notify()
    }, this.delayMs)
    this.timers.add(timer)
  }

  private apply(batch: number, assertions: BulkAssertion[], actor: EmulatorActor): void {
    let applied = 0
    let dropped = 0
    assertions.forEach((a, index) => {
      try {
        applyAssertion(this.ws, a, actor)
        applied++
      } catch (e) {
        const code = e instanceof ApiError ? e.code : 'internal_error'
        const reason = e instanceof Error ? e.message : String(e)
        dropped++
        this.log.push({ batch, index, object: a.object, code, reason, at: nowTimestamp() })
        this.logLine?.(`bulk #${batch}: dropped assertion ${index} (${code}): ${reason}`)
      }
    })
    this.stats.bulkDone(applied, dropped)
  }

  private notify(): void {
    if (this.timers.size > 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Resolves once every accepted bulk request has been applied. */
  settle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Drops bulk requests not applied yet (on reset and close). */
  cancel(): void {
    for (const t of this.timers) {
      clearTimeout(t)
      this.stats.bulkCancelled()
    }
    this.timers.clear()
    this.notify()
  }

  clearLog(): void {
    this.log.length = 0
  }
}
