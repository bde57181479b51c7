/**
 * The local tooling's pure parts: redaction, error fields, CLI flags, the checkpoint's line set, failure
 * reasons, record summaries and the progress output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  CompletedLines,
  readCheckpoint,
  writeCheckpointAtomically,
  emptyTallies
} from '../../src/local/checkpoint'
import { parseArgs, UsageError } from '../../src/local/cli-args'
import { describeFailure, fieldOfMessage } from '../../src/local/failure'
import { Progress, formatDuration } from '../../src/local/progress'
import { summarizeState, valueText } from '../../src/local/records'
import { redactDeep, redactText, secretList } from '../../src/api/core/redact'
import { defaultFailuresFile, identityKeys, reasonKey, reasonsFileFor } from '../../src/local/replay'
import { portFrom } from '../../src/local/start'
import { directiveLookalike, checkMapping } from '../../src/local/mapping-check'
import { formatMappingFile, MappingFileError, parseMappingFile } from '../../src/local/mapping-file'
import { explainMissing, pathsRead } from '../../src/local/missing-fields'

describe('redaction', () => {
  it('replaces every occurrence of every secret, in values and keys, and Authorization headers whole', () => {
    const secrets = secretList(['tok_secret_1234', undefined, '  ', 'abc', 'tok_secret_1234'])
    expect(secrets).toEqual(['tok_secret_1234'])
    const value = {
      message: 'Bearer tok_secret_1234 was refused',
      nested: [{ url: 'https://x.test/?key=tok_secret_1234' }],
      tok_secret_1234: 'as a key',
      headers: { Authorization: 'Basic whatever', 'user-agent': 'Segment' }
    }
    expect(redactDeep(value, secrets)).toEqual({
      message: 'Bearer [redacted] was refused',
      nested: [{ url: 'https://x.test/?key=[redacted]' }],
      '[redacted]': 'as a key',
      headers: { Authorization: '[redacted]', 'user-agent': 'Segment' }
    })
  })

  it('copies an object met twice (not a cycle) both times, and marks only a real cycle', () => {
    const shared = { email: 'ada@example.com' }
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    expect(redactDeep({ a: shared, b: [shared], c: cyclic }, ['tok'])).toEqual({
      a: { email: 'ada@example.com' },
      b: [{ email: 'ada@example.com' }],
      c: { name: 'loop', self: '[circular]' }
    })
  })

  it('finds a secret percent-encoded too', () => {
    expect(redactText('q=a%2Bb%2Fc%3D', ['a+b/c='])).toBe('q=[redacted]')
  })
})

describe('errors and their fields', () => {
  const fields = ['email_address', 'user_id', 'person_attributes']

  it('reads the field from the start of a destination message', () => {
    expect(fieldOfMessage('email_address: "x" is not a valid email address.', fields)).toBe('email_address')
    expect(fieldOfMessage('person_attributes.twiter: no attribute "twiter"', fields)).toBe(
      'person_attributes.twiter'
    )
    expect(fieldOfMessage('Attio rejected the Person: value_not_found', fields)).toBeUndefined()
    expect(fieldOfMessage('unknown_field: something', fields)).toBeUndefined()
  })

  it("reads the field of actions-core's schema errors", () => {
    const missing = Object.assign(
      new Error("The root value is missing the required field 'email_address'."),
      {
        name: 'AggregateAjvError',
        errors: [{ pointer: '', message: "The root value is missing the required field 'email_address'." }]
      }
    )
    expect(describeFailure(missing, fields)).toMatchObject({
      status: 400,
      code: 'PAYLOAD_VALIDATION_FAILED',
      field: 'email_address',
      retry: false
    })
    const wrongType = Object.assign(new Error('The value at /user_id must be a string.'), {
      name: 'AggregateAjvError',
      errors: [{ pointer: '/user_id', message: 'The value at /user_id must be a string.' }]
    })
    expect(describeFailure(wrongType, fields).field).toBe('user_id')
  })

  it('marks 429, 5xx and retry: true as retryable, and keeps Retry-After', () => {
    expect(describeFailure({ message: 'slow down', status: 429, retryAfter: 123 })).toMatchObject({
      retry: true,
      retryAfter: 123
    })
    expect(describeFailure({ message: 'down', status: 503 }).retry).toBe(true)
    expect(describeFailure({ message: 'flaky', status: 400, retry: true }).retry).toBe(true)
    expect(describeFailure({ message: 'bad', status: 400, retry: false }).retry).toBe(false)
    expect(describeFailure(new Error('boom'))).toMatchObject({ status: 500, retry: true })
  })
})

describe('CLI flags', () => {
  it('parses send and replay', () => {
    expect(parseArgs(['send', '--action', 'identifyUser', '--event=e.json', '--settings', 's.json'])).toEqual(
      {
        command: 'send',
        action: 'identifyUser',
        event: 'e.json',
        settings: 's.json',
        json: false
      }
    )
    expect(
      parseArgs(['replay', 'events.ndjson', '--batch-size', '50', '--resume', '--failures', 'f.ndjson'])
    ).toEqual({
      command: 'replay',
      file: 'events.ndjson',
      batchSize: 50,
      resume: true,
      failures: 'f.ndjson'
    })
    expect(parseArgs([])).toEqual({ command: 'none' })
    expect(parseArgs(['help'])).toEqual({ command: 'help' })
  })

  it('refuses what it does not understand', () => {
    expect(() => parseArgs(['send', '--event', 'e.json'])).toThrow(UsageError)
    expect(() => parseArgs(['replay'])).toThrow(/needs the events file/)
    expect(() => parseArgs(['replay', 'a', '--batch-size', '0'])).toThrow(/whole number/)
    expect(() => parseArgs(['replay', 'a', 'b'])).toThrow(/one too many/)
    expect(() => parseArgs(['deploy'])).toThrow(/unknown command/)
  })

  it('reads PORT', () => {
    expect(portFrom(undefined)).toBe(3000)
    expect(portFrom('4100')).toBe(4100)
    expect(() => portFrom('http')).toThrow(/not a port/)
  })
})

describe('checkpoint', () => {
  it('keeps a watermark and the lines finished beyond it', () => {
    const lines = new CompletedLines()
    lines.add(2)
    lines.add(3)
    expect(lines.completedBelow).toBe(1)
    expect(lines.has(2)).toBe(true)
    expect(lines.has(1)).toBe(false)
    lines.add(1)
    expect(lines.completedBelow).toBe(4)
    expect(lines.completedAbove).toEqual([])
    const resumed = new CompletedLines(4, [6, 4, 5, 9])
    expect(resumed.completedBelow).toBe(7)
    expect(resumed.completedAbove).toEqual([9])
  })

  it('is written atomically and read back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-checkpoint-'))
    try {
      const file = path.join(dir, 'events.ndjson.checkpoint')
      const data = {
        version: 1 as const,
        file: 'events.ndjson',
        size: 10,
        headHash: 'h',
        completedBelow: 5,
        completedAbove: [7],
        tallies: emptyTallies(),
        complete: false,
        updatedAt: new Date(0).toISOString()
      }
      writeCheckpointAtomically(file, data)
      expect(readCheckpoint(file)).toEqual(data)
      expect(JSON.parse(readFileSync(file, 'utf8')).completedBelow).toBe(5)
      expect(readCheckpoint(path.join(dir, 'missing'))).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('replay naming', () => {
  it('groups failure messages by their shape, not their values', () => {
    expect(reasonKey(400, 'email_address: "a" is not valid')).toBe(
      reasonKey(400, 'email_address: "b" is not valid')
    )
    expect(reasonKey(400, 'x')).not.toBe(reasonKey(503, 'x'))
  })

  it('knows what an event is about, to keep such events in order', () => {
    expect(identityKeys({ type: 'identify', userId: 'u1', traits: { email: 'Ada@Example.com ' } })).toEqual([
      'user:u1',
      'email:ada@example.com'
    ])
    expect(
      identityKeys({ type: 'group', userId: 'u1', groupId: 42, traits: { website: 'acme.com' } })
    ).toEqual(['user:u1', 'group:42', 'domain:acme.com'])
    expect(identityKeys({ type: 'track' })).toEqual([])
  })

  it('names the failures file and its reasons next to the events, one round after another', () => {
    expect(defaultFailuresFile('/d/events.ndjson')).toBe('/d/events.failures.ndjson')
    expect(defaultFailuresFile('/d/events.failures.ndjson')).toBe('/d/events.failures-2.ndjson')
    expect(defaultFailuresFile('/d/events.failures-2.ndjson')).toBe('/d/events.failures-3.ndjson')
    expect(defaultFailuresFile('/d/events.txt')).toBe('/d/events.txt.failures.ndjson')
    expect(reasonsFileFor('/d/out.ndjson')).toBe('/d/out.reasons.ndjson')
  })
})

describe('record summaries', () => {
  const value = (type: string, rest: Record<string, unknown>) => ({
    active_from: '2026-01-01T00:00:00Z',
    active_until: null,
    created_by_actor: { type: 'system', id: null },
    attribute_type: type,
    ...rest
  })

  it('reduces each value type to text', () => {
    expect(valueText(value('email-address', { email_address: 'ada@example.com' }))).toBe('ada@example.com')
    expect(valueText(value('personal-name', { full_name: 'Ada Lovelace' }))).toBe('Ada Lovelace')
    expect(valueText(value('select', { option: { title: 'Pro' } }))).toBe('Pro')
    expect(valueText(value('record-reference', { target_object: 'people', target_record_id: 'r1' }))).toBe(
      'people r1'
    )
    expect(valueText(value('number', { value: 12 }))).toBe('12')
    expect(valueText(value('currency', { currency_value: 9.5, currency_code: 'USD' }))).toBe('9.5 USD')
  })

  it('keeps non-empty attributes and leaves out the system ones', () => {
    const summary = summarizeState({
      people: [
        {
          record_id: 'r1',
          created_at: 'now',
          values: {
            record_id: [value('text', { value: 'r1' })],
            email_addresses: [value('email-address', { email_address: 'a@b.co' })],
            name: []
          }
        }
      ]
    })
    expect(summary).toEqual({
      people: [{ record_id: 'r1', created_at: 'now', values: { email_addresses: ['a@b.co'] } }]
    })
  })
})

describe('progress', () => {
  const counts = { done: 50, total: 200, delivered: 45, failed: 3, skipped: 2, doneThisRun: 50 }

  it('prints plain lines when stderr is not a terminal', () => {
    const out: string[] = []
    const progress = new Progress({ write: (text: string) => out.push(text), isTTY: false })
    progress.update(counts, true)
    progress.update(counts)
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(
      /^replay: 50\/200 \(25%\) .*events\/s {2}ETA .* delivered 45 {2}failed 3 {2}skipped 2\n$/
    )
  })

  it('redraws a bar in place on a terminal', () => {
    const out: string[] = []
    const progress = new Progress({ write: (text: string) => out.push(text), isTTY: true, columns: 200 })
    progress.update(counts, true)
    progress.finish({ ...counts, done: 200, doneThisRun: 200 })
    expect(out[0]).toMatch(/^\r.*█.*░.* 50\/200 \(25%\).*ETA/)
    expect(out[out.length - 1]).toBe('\n')
  })

  it('formats durations', () => {
    expect(formatDuration(4_000)).toBe('4s')
    expect(formatDuration(125_000)).toBe('2m05s')
    expect(formatDuration(3_720_000)).toBe('1h02m')
  })
})

describe('the mapping file', () => {
  const catalog = {
    identifyUser: { slug: 'identifyUser', title: 'Identify User', fields: { email_address: {}, user_id: {} } }
  }
  const problemsOf = (json: string) => {
    try {
      parseMappingFile(json, 'm.json', catalog)
    } catch (error) {
      return (error as MappingFileError).problems
    }
    return []
  }

  it('reads subscriptions, or a bare array of them, with action for partnerAction and names by default', () => {
    const subscription = { action: 'identifyUser', subscribe: 'type = "identify"' }
    const expected = {
      version: 1,
      subscriptions: [
        { name: 'Identify User', partnerAction: 'identifyUser', subscribe: 'type = "identify"', mapping: {} }
      ]
    }
    expect(parseMappingFile(JSON.stringify([subscription]), 'm.json', catalog)).toEqual(expected)
    expect(parseMappingFile(JSON.stringify({ subscriptions: [subscription] }), 'm.json', catalog)).toEqual(
      expected
    )
    // What the page exports reads back as it was.
    expect(parseMappingFile(formatMappingFile(expected.subscriptions), 'm.json', catalog)).toEqual(expected)
  })

  it('names every problem with its place', () => {
    expect(problemsOf('{"subscriptions": [')).toEqual([expect.stringMatching(/^it is not valid JSON/)])
    expect(problemsOf('"x"')).toEqual([
      'the file must hold {"subscriptions": [...]} (or an array of subscriptions).'
    ])
    expect(problemsOf('{"subscriptions": [], "version": 2}')).toEqual(['version: must be 1 (or left out)'])
    expect(problemsOf('{"subscriptions": []}')).toEqual([
      'subscriptions: is empty: give at least one subscription.'
    ])
    expect(
      problemsOf(
        JSON.stringify([
          { partnerAction: 'identifyUser', action: 'groupWorkspace', subscribe: 'type = "identify"' },
          { subscribe: 'type = "identify"', mapping: [] }
        ])
      )
    ).toEqual(['[1].mapping: must be an object: field name → value or directive'])
    expect(
      problemsOf(
        JSON.stringify([
          { partnerAction: 'identifyUser', action: 'groupWorkspace', subscribe: 'type = "identify"' },
          { subscribe: 'typo = "identify"' }
        ])
      )
    ).toEqual([
      '[0]: partnerAction "identifyUser" and action "groupWorkspace" differ; give one.',
      '[1].partnerAction: is missing: the action slug, e.g. "identifyUser"',
      expect.stringMatching(
        /^\[1\]\.subscribe: "typo = \\"identify\\"" is not a condition actions-core can evaluate/
      )
    ])
  })
})

describe('mapping checks', () => {
  it('tells plain text that looks like a directive', () => {
    expect(directiveLookalike('{"@template": "{{traits.name}}"')).toMatch(
      /looks like a mapping directive but is not valid JSON/
    )
    expect(directiveLookalike('{"@path": "$.traits.name"}')).toMatch(/is a mapping directive written as text/)
    expect(directiveLookalike('$.traits.name')).toMatch(/is a path written as text/)
    expect(directiveLookalike('{{traits.name}}')).toMatch(/is a template written as text/)
    expect(directiveLookalike('{{traits.name}')).toMatch(/has unbalanced template braces/)
    for (const text of ['Ada', '{not a directive}', '$ 5', 'people'])
      expect(directiveLookalike(text)).toBeUndefined()
  })

  it('checks every field, inside key-value fields too, and leaves directives to actions-core', () => {
    const action = { slug: 'identifyUser', fields: { email_address: {}, person_attributes: {} } }
    expect(
      checkMapping(
        {
          email_address: { '@path': '$.traits.email' },
          person_attributes: { job_title: '{"@template": "x"', name: { '@template': '{{traits.name}}' } },
          emial: 'x'
        },
        action
      ).map((problem) => problem.field)
    ).toEqual(['person_attributes.job_title', 'emial'])
    expect(checkMapping({ email_address: { '@tempalte': 'x' } }, action)).toEqual([
      { field: 'email_address', message: 'email_address: has an invalid directive: @tempalte.' }
    ])
  })
})

describe('missing required fields', () => {
  it('names the event paths the mapping reads', () => {
    const email = {
      '@if': {
        exists: { '@path': '$.traits.email' },
        then: { '@path': '$.traits.email' },
        else: { '@path': '$.properties.email' }
      }
    }
    expect(pathsRead(email)).toEqual(['$.traits.email', '$.properties.email'])
    expect(pathsRead({ '@template': '{{traits.first}} {{ traits.last }}' })).toEqual([
      '$.traits.first',
      '$.traits.last'
    ])
    expect(explainMissing('email_address', { email_address: email }, 'Email address')).toBe(
      'email_address: required, and the event has no value at any of $.traits.email or $.properties.email (the paths its mapping reads). Map "Email address" to the path your events carry it in, or add it to the event.'
    )
    expect(explainMissing('user_id', {}, 'User ID')).toBe(
      'user_id: required, and not mapped: map "User ID" to the event path that holds it, e.g. $.traits.user_id.'
    )
  })
})
