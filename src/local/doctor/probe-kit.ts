/**
 * What the probes share: marked test records (emails at example.com and ids that start with
 * `attio-doctor-probe-` and the run's id, so anyone can tell them apart), values written by the destination's
 * own value writer, the bulk endpoint's assertions as the batch path builds them, waiting for Attio to apply
 * a bulk request, reading values back as text, and deleting every marked record at the end.
 */
import { randomBytes } from 'node:crypto'
import {
  bulkAssertion,
  writeAttributeValue,
  type AttioClient,
  type AttributeDef,
  type AttributeType,
  type WireItem
} from '../../api'
import { valueText } from '../records'
import type { DoctorHttp, RawAnswer } from './http'

export const PROBE_PREFIX = 'attio-doctor-probe'

export interface MarkedRecord {
  /** `attio-doctor-probe-<run>-<name>@example.com` */
  email: string
  /** `attio-doctor-probe-<run>-<name>` */
  id: string
}

export interface ProbeTiming {
  /** How long to wait for Attio to apply a bulk request (it does so asynchronously). */
  applyTimeoutMs: number
  /** How long a value must stay as it is before a probe takes it as final. */
  settleMs: number
  pollMs: number
}

export const DEFAULT_TIMING: ProbeTiming = { applyTimeoutMs: 30_000, settleMs: 1500, pollMs: 250 }

/** A marked record a probe may have created: found by this attribute's value at clean-up. */
interface Created {
  object: string
  attribute: string
  value: string
}

export class ProbeKit {
  readonly run = randomBytes(4).toString('hex')
  private readonly created: Created[] = []
  private readonly attributeLists = new Map<string, AttributeDef[] | null>()
  private lastReceivedAt = 0

  constructor(
    readonly http: DoctorHttp,
    readonly client: AttioClient,
    readonly timing: ProbeTiming = DEFAULT_TIMING
  ) {}

  /** A marked record's email and id, remembered for clean-up in the objects given. */
  mark(name: string, objects: Array<'people' | 'users' | 'workspaces'>): MarkedRecord {
    const id = `${PROBE_PREFIX}-${this.run}-${name}`
    const marked = { id, email: `${id}@example.com` }
    for (const object of objects) {
      const attribute =
        object === 'people' ? 'email_addresses' : object === 'users' ? 'user_id' : 'workspace_id'
      this.created.push({ object, attribute, value: object === 'people' ? marked.email : id })
    }
    return marked
  }

  /** The object's attributes, or null when it is not there (not activated). */
  async attributes(object: string): Promise<AttributeDef[] | null> {
    if (!this.attributeLists.has(object)) {
      try {
        this.attributeLists.set(object, await this.client.listAttributes(object))
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error
        this.attributeLists.set(object, null)
      }
    }
    return this.attributeLists.get(object) ?? null
  }

  /** Values in Attio's write form, each written by the destination's value writer for its attribute. */
  async values(object: string, input: Record<string, unknown>): Promise<Record<string, WireItem[]>> {
    const attributes = (await this.attributes(object)) ?? []
    const values: Record<string, WireItem[]> = {}
    for (const [slug, value] of Object.entries(input)) {
      const attribute = attributes.find((entry) => entry.slug === slug)
      if (!attribute?.type) throw new MissingForProbe(`${object}.${slug}`)
      values[slug] = writeAttributeValue({ ...attribute, type: attribute.type }, value, {})
    }
    return values
  }

  /** An attribute that does not exist, written as text: what an unchecked mapping would send. */
  static unknownAttribute(slug: string, value: string): Record<string, WireItem[]> {
    const shape = { slug, type: 'text' as AttributeType, isMultiselect: false }
    return { [slug]: writeAttributeValue(shape, value, {}) }
  }

  /** A bulk assertion as the batch path sends it (append mode), with a `received_at` later than the last. */
  assertion(object: string, matching: string, values: Record<string, unknown>): Record<string, unknown> {
    this.lastReceivedAt = Math.max(Date.now(), this.lastReceivedAt + 1)
    return bulkAssertion(object, matching, true, values, new Date(this.lastReceivedAt).toISOString())
  }

  /** `PUT /v2/batch/records`, answered as Attio answers. */
  bulk(assertions: unknown[]): Promise<RawAnswer> {
    return this.http.send('PUT', '/v2/batch/records', { json: { assertions } })
  }

  /** The id of the record whose attribute has this (text) value, if there is one. */
  async find(object: string, attribute: string, value: string): Promise<string | undefined> {
    const ids = await this.client.findRecordIds(
      object,
      { [attribute]: value },
      1,
      `the probe's ${object} record`
    )
    return ids[0]
  }

  /** An attribute's values as text (a reference as "<object> <record id>"). */
  async read(object: string, recordId: string, attribute: string): Promise<string[]> {
    const record = await this.client.getRecord(object, recordId)
    const items = record.values[attribute]
    if (!Array.isArray(items)) return []
    return items
      .filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object')
      .map(valueText)
  }

  /** Polls until `probe` gives a value (or the apply time-out passes); the value and how long it took. */
  async waitFor<T>(probe: () => Promise<T | undefined>): Promise<{ value?: T; ms: number }> {
    const started = Date.now()
    for (let wait = this.timing.pollMs; ; wait = Math.min(wait * 2, 2000)) {
      const value = await probe()
      if (value !== undefined) return { value, ms: Date.now() - started }
      if (Date.now() - started >= this.timing.applyTimeoutMs) return { ms: Date.now() - started }
      await sleep(wait)
    }
  }

  /** Deletes every marked record that exists; what could not be found or deleted is named. */
  async cleanUp(): Promise<{ deleted: number; left: string[] }> {
    const order = ['workspaces', 'users', 'people']
    const pending = [...this.created].sort((a, b) => order.indexOf(a.object) - order.indexOf(b.object))
    let deleted = 0
    const left: string[] = []
    for (const entry of pending) {
      try {
        const ids = await this.client.findRecordIds(
          entry.object,
          { [entry.attribute]: entry.value },
          10,
          `the probe's ${entry.object} record`
        )
        for (const id of ids) {
          await this.client.deleteRecord(entry.object, id, `the probe's ${entry.object} record`)
          deleted += 1
        }
      } catch (error) {
        if ((error as { status?: number }).status === 404) continue
        left.push(`${entry.object} ${entry.attribute} = ${entry.value} (${(error as Error).message})`)
      }
    }
    return { deleted, left }
  }
}

/** A probe needs an attribute the workspace does not have: it is skipped. */
export class MissingForProbe extends Error {
  constructor(readonly attribute: string) {
    super(`the workspace has no attribute ${attribute}`)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
