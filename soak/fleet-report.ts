/**
 * `npm run fleet`'s report helpers: which events count as lost, and for a lost event or a differing record,
 * the events with how the fleet and the reference delivered each.
 */
import type { EventOutcome } from './host'

/** No outcome, still retryable when the attempts ran out, or refused where the reference delivered it. */
export const isLost = (outcome: EventOutcome | undefined, expected: EventOutcome | undefined) =>
  !outcome ||
  outcome.result === 'none' ||
  outcome.result === 'retryable' ||
  (outcome.result === 'failed' && expected?.result === 'delivered')

/** Each lost event (up to 5) with how the fleet and the reference delivered it. */
export function lostOutcomes(
  lost: readonly number[],
  events: ReadonlyArray<{ index: number; lane: number; action: string; event: unknown }>,
  fleet: Map<number, EventOutcome>,
  reference: Map<number, EventOutcome>
): string[] {
  return lost.slice(0, 5).map((index) => {
    const event = events.find((candidate) => candidate.index === index)
    return `lost: ${bothOutcomes({ index, lane: event?.lane ?? '?', action: event?.action ?? '?' }, fleet, reference)}`
  })
}

/** An event with how the fleet and the reference delivered it. */
const bothOutcomes = (
  event: { index: number; lane: number | string; action: string },
  fleet: Map<number, EventOutcome>,
  reference: Map<number, EventOutcome>
) =>
  `event ${event.index} (lane ${event.lane}, ${event.action}): fleet ${describeOutcome(fleet.get(event.index))}; reference ${describeOutcome(reference.get(event.index))}`

export const describeOutcome = (outcome: EventOutcome | undefined) =>
  outcome
    ? `${outcome.result} (${outcome.path}, ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}${outcome.status !== undefined ? `, ${outcome.status}` : ''}${outcome.reason ? `: ${outcome.reason.slice(0, 200)}` : ''})`
    : 'no outcome'

/** The events naming each differing record (its identity in the event's JSON), fleet outcome against reference. */
export function diagnose(
  differences: ReadonlyArray<{ object: string; identity: string }>,
  events: ReadonlyArray<{ index: number; lane: number; action: string; event: unknown }>,
  fleet: Map<number, EventOutcome>,
  reference: Map<number, EventOutcome>
): string[] {
  const lines: string[] = []
  const seen = new Set<string>()
  for (const { object, identity } of differences) {
    if (seen.has(`${object}\u0000${identity}`) || seen.size >= 3) continue
    seen.add(`${object}\u0000${identity}`)
    const naming = events.filter((event) => {
      const text = JSON.stringify(event.event)
      return text.includes(identity.toLowerCase()) || text.includes(identity)
    })
    lines.push(`${object} "${identity}": ${naming.length} event(s) name it`)
    for (const event of naming.slice(-6)) {
      lines.push(`  ${bothOutcomes(event, fleet, reference)}`)
    }
  }
  return lines
}
