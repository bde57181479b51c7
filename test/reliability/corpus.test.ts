/**
 * The bad-input corpus (test/corpus/*.json): hostile and malformed inputs for the three actions, each
 * run through actions-core on the single path (perform) and the batch path (performBatch) with its
 * expected outcome. For every case and path:
 * - the outcome is the expected one: the exact writes (or bulk assertions) of a normalised input, or an
 *   error whose message names the field, and then no write at all (the schema cache is warmed first, so
 *   the reads it would need are not the case's);
 * - every request goes to a path the action may use (slugs percent-encoded, nothing else reachable);
 * - no credential appears in any message, log line, result or captured exchange but the Authorization
 *   header itself;
 * - nothing crashes: the single path throws only actions-core's errors, the batch path answers per event
 *   and never throws, no promise is left rejected, and Object.prototype is untouched.
 */
import { IntegrationError, InvalidAuthenticationError, RetryableError } from '@segment/actions-core'
import { clearWriteMemory } from '../../src/api'
import { useNock } from '../helpers/attio-fixtures'
import {
  allowList,
  expand,
  isWrite,
  loadCorpus,
  freshCredentials,
  MARKER,
  mockAttio,
  outputsOf,
  pathsOf,
  runCase,
  SETTINGS,
  warmUp,
  type CaseRun,
  type CorpusPath,
  type LoadedCase
} from './corpus-harness'

useNock()

const rejections: unknown[] = []
const onRejection = (reason: unknown) => rejections.push(reason)
beforeAll(() => process.on('unhandledRejection', onRejection))
afterAll(() => {
  process.removeListener('unhandledRejection', onRejection)
})

beforeEach(() => {
  freshCredentials()
  mockAttio()
})

const corpus = loadCorpus()
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort()
const originalPrototypeKeys = prototypeKeys()

/** Errors actions-core knows how to report (the ajv payload validation error is its own). */
function isActionsCoreError(error: unknown): boolean {
  return (
    error instanceof IntegrationError ||
    error instanceof InvalidAuthenticationError ||
    error instanceof RetryableError ||
    (error as { name?: unknown } | null)?.name === 'AggregateAjvError'
  )
}

function check(c: LoadedCase, on: CorpusPath, run: CaseRun): void {
  // No crash.
  if (run.error !== undefined) {
    expect({ crash: !isActionsCoreError(run.error), error: String(run.error) }).toEqual({
      crash: false,
      error: expect.any(String)
    })
  }
  expect(run.unmatched).toEqual([])

  // Only the paths the action may use.
  const allowed = allowList(c)
  const strays = run.requests
    .map((r) => `${r.method} ${r.path}`)
    .filter((line) => !allowed.some((pattern) => pattern.test(line)))
  expect(strays).toEqual([])

  // No credential anywhere but in the Authorization header.
  const leaks = outputsOf(run).filter((text) => text.includes(MARKER))
  expect(leaks).toEqual([])
  for (const request of run.requests) expect(request.headers.authorization).toBe(`Bearer ${SETTINGS.api_key}`)

  const writes = run.requests.filter(isWrite)
  const { error, outcomes } = c.expect
  if (on === 'single') {
    if (error !== undefined) {
      expect((run.error as Error | undefined)?.message).toMatch(new RegExp(error))
      expect(writes).toEqual([])
    } else {
      expect(run.error === undefined ? undefined : String(run.error)).toBeUndefined()
      expect(writes.map((w) => ({ method: w.method, path: w.path, body: w.body }))).toEqual(
        expand(c.expect.writes)
      )
    }
    return
  }

  // The batch path answers for every event and never throws.
  expect(run.error).toBeUndefined()
  const entries = run.multistatus ?? []
  const expected = outcomes ?? [error !== undefined ? { error } : { status: 202 }]
  expect(entries).toHaveLength(expected.length)
  expected.forEach((want, index) => {
    const entry = entries[index] as { status?: number; errormessage?: string }
    if (want.error !== undefined) {
      expect({ index, status: entry.status }).toEqual({ index, status: expect.any(Number) })
      // Refused for good: a 4xx a host does not retry.
      expect(entry.status).toBeGreaterThanOrEqual(400)
      expect(entry.status).toBeLessThan(500)
      expect(entry.status).not.toBe(429)
      expect(entry.errormessage).toMatch(new RegExp(want.error))
    } else {
      expect({ index, status: entry.status, message: entry.errormessage }).toEqual({
        index,
        status: want.status ?? 202,
        message: undefined
      })
    }
  })
  const assertions = writes.flatMap((w) =>
    w.path === '/v2/batch/records'
      ? (w.body as { assertions: unknown[] }).assertions
      : // A documented write on the batch path (a reference by key): compared as `writes` are.
        [{ method: w.method, path: w.path, body: w.body }]
  )
  expect(assertions).toEqual(c.expect.bulk === undefined ? [] : expand(c.expect.bulk))
}

/** Runs a case on each of its paths, with the schema cache warm and nothing remembered of earlier writes. */
async function runAndCheck(c: LoadedCase): Promise<void> {
  await warmUp(c)
  for (const on of pathsOf(c)) {
    clearWriteMemory()
    const run = await runCase(c, on)
    try {
      check(c, on, run)
    } catch (error) {
      if (error instanceof Error) error.message = `[${on} path] ${error.message}`
      throw error
    }
  }
  expect(prototypeKeys()).toEqual(originalPrototypeKeys)
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
}

const title = (c: LoadedCase) => `${c.file}: ${c.name} [${pathsOf(c).join(' + ')}]`
const rows = corpus.map((c) => ({ title: title(c), c }))

describe('bad-input corpus', () => {
  it('has at least 150 cases across the three actions and both paths', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150)
    expect(new Set(corpus.map((c) => c.action))).toEqual(
      new Set(['identifyUser', 'groupWorkspace', 'assertRecord'])
    )
    expect(new Set(corpus.flatMap(pathsOf))).toEqual(new Set(['single', 'batch']))
    // Every case says what must happen.
    for (const c of corpus) {
      expect({ name: c.name, covered: pathsOf(c).length > 0 }).toEqual({ name: c.name, covered: true })
    }
  })

  test.each(rows.filter((r) => !r.c.knownIssue))('$title', ({ c }) => runAndCheck(c))

  // Known defects (reported): each asserts the right behaviour, so it fails while the defect is there;
  // once it is fixed, remove `knownIssue` from the case.
  test.failing.each(rows.filter((r) => r.c.knownIssue))('known issue: $title', ({ c }) => runAndCheck(c))

  it('left no promise rejected', async () => {
    await new Promise((resolve) => setImmediate(resolve))
    expect(rejections).toEqual([])
  })
})
