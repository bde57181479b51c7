// @ts-check
/**
 * The sample events, and the batch the batch toggle sends. The samples work on a fresh workspace: the
 * Group sample is an anonymous visitor's (no userId), because Group Workspace links only Users that
 * exist, and on a fresh start none does (send the Identify sample, then add its "userId" to link it).
 */

/** @typedef {import('./types').EventJson} EventJson */

/** @param {number} [offsetMs] */
function isoNow(offsetMs = 0) {
  return new Date(Date.now() + offsetMs).toISOString()
}

function messageId() {
  return typeof crypto !== 'undefined' && crypto.randomUUID ? crypto.randomUUID() : `msg-${Date.now()}`
}

/** The id of the Identify sample's user (the Group sample's hint names it). */
export const SAMPLE_USER = 'user-1815'

/**
 * @param {string} kind identify, group, track, audience-entered or audience-exited
 * @returns {EventJson}
 */
export function sampleEvent(kind) {
  const common = {
    messageId: messageId(),
    timestamp: isoNow(-1500),
    receivedAt: isoNow(),
    context: { library: { name: 'analytics.js', version: '2.11.1' }, locale: 'en-GB' }
  }
  if (kind === 'group') {
    return {
      type: 'group',
      anonymousId: 'anon-7f3c2a',
      groupId: 'ws-analytical-engines',
      traits: {
        name: 'Analytical Engines',
        website: 'https://www.analytical-engines.com/pricing',
        plan: 'Enterprise'
      },
      ...common
    }
  }
  if (kind === 'audience-entered' || kind === 'audience-exited') {
    // As Segment Engage sends an audience to a destination (Sync List Entry's track preset).
    const entered = kind === 'audience-entered'
    return {
      type: 'track',
      event: entered ? 'Audience Entered' : 'Audience Exited',
      userId: SAMPLE_USER,
      properties: { audience_key: 'trial_users', trial_users: entered, email: 'ada@analytical-engines.com' },
      ...common,
      context: {
        ...common.context,
        traits: { email: 'ada@analytical-engines.com' },
        personas: { computation_key: 'trial_users', computation_class: 'audience' }
      }
    }
  }
  if (kind === 'track') {
    return {
      type: 'track',
      event: 'Report Exported',
      userId: SAMPLE_USER,
      properties: { email: 'ada@analytical-engines.com', format: 'csv', rows: 1843 },
      ...common,
      context: { ...common.context, traits: { email: 'ada@analytical-engines.com' } }
    }
  }
  return {
    type: 'identify',
    userId: SAMPLE_USER,
    traits: {
      email: 'ada@analytical-engines.com',
      name: 'Ada Lovelace',
      title: 'Analyst',
      plan: 'Pro',
      seats: 12
    },
    ...common
  }
}

/**
 * A copy of a value with ids and emails made unique for the n-th event of a batch.
 * @param {unknown} value
 * @param {number} n
 * @returns {unknown}
 */
function vary(value, n) {
  if (typeof value === 'string') return value.replace(/^([^@\s]+)@([^@\s]+)$/, `$1+${n}@$2`)
  if (Array.isArray(value)) return value.map((item) => vary(item, n))
  if (value && typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const copy = {}
    for (const [key, item] of Object.entries(value)) {
      copy[key] =
        (key === 'userId' || key === 'groupId') && typeof item === 'string' ? `${item}-${n}` : vary(item, n)
    }
    return copy
  }
  return value
}

/**
 * The batch the toggle sends: a pasted array as it is, or the event repeated with other ids and emails.
 * @param {EventJson | EventJson[]} event
 * @param {number} count
 * @returns {EventJson[]}
 */
export function batchOf(event, count) {
  if (Array.isArray(event)) return event
  return Array.from({ length: count }, (_, index) => ({
    .../** @type {EventJson} */ (vary(event, index + 1)),
    messageId: messageId()
  }))
}
