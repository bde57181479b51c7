/**
 * What the doctor's own exchanges tell: the rate-limit budget Attio reports (if it reports any) and how far
 * this machine's clock is from Attio's `Date` header. Both read the exchanges already made; no request.
 */
import type { DoctorExchange } from './http'
import type { Check } from './types'

/** Attio documents 100 reads and 25 writes a second per token, and no header for what is left of them. */
const DOCUMENTED = '100 reads and 25 writes a second per token'
const RATE_HEADER = /^(x-)?rate-?limit/i

/** The budget headers of the latest answer that had any, or "not reported". */
export function checkRateLimits(exchanges: readonly DoctorExchange[]): Check {
  const check = { id: 'rate-limits', title: 'rate limits' }
  // Record queries are reads to Attio's limits, though they are POSTs.
  const reads = exchanges.filter(
    (exchange) => exchange.method === 'GET' || exchange.path.endsWith('/records/query')
  ).length
  const writes = exchanges.length - reads
  const made = `this run made ${reads} read${reads === 1 ? '' : 's'} and ${writes} write${writes === 1 ? '' : 's'}`
  const reported = [...exchanges]
    .reverse()
    .map((exchange) => Object.entries(exchange.headers).filter(([name]) => RATE_HEADER.test(name)))
    .find((headers) => headers.length > 0)
  if (!reported) {
    return {
      ...check,
      status: 'info',
      detail: `headroom not reported: Attio's answers carry no rate-limit headers (it documents ${DOCUMENTED}); ${made}`
    }
  }
  return {
    ...check,
    status: 'info',
    detail: `Attio reports ${reported.map(([name, value]) => `${name}: ${value}`).join(', ')}; ${made}`
  }
}

/** How far a clock may be off before a Retry-After (a time of day) is read wrong by a noticeable amount. */
const SKEW_WARN_MS = 2000

/**
 * This machine's clock against Attio's `Date` header, from the quickest exchange. The header has whole
 * seconds, so Attio's time was within the second it names; the uncertainty adds half the round trip.
 */
export function checkClock(exchanges: readonly DoctorExchange[]): Check {
  const check = { id: 'clock', title: 'clock' }
  const dated = exchanges
    .map((exchange) => ({ exchange, date: Date.parse(exchange.headers.date ?? '') }))
    .filter(({ date }) => Number.isFinite(date))
    .sort((a, b) => roundTrip(a.exchange) - roundTrip(b.exchange))
  const best = dated[0]
  if (!best) {
    return {
      ...check,
      status: 'warn',
      detail: "Attio's answers had no Date header: the clock skew is unknown",
      advice: 'Keep this machine on NTP: a Retry-After is a time of day.'
    }
  }
  const local = (best.exchange.sentAt + best.exchange.answeredAt) / 2
  const skew = best.date + 500 - local
  const margin = 500 + roundTrip(best.exchange) / 2
  if (Math.abs(skew) - margin <= SKEW_WARN_MS) {
    return { ...check, status: 'ok', detail: `within ${seconds(Math.abs(skew) + margin)} of Attio's` }
  }
  const ahead = skew < 0
  return {
    ...check,
    status: 'warn',
    detail: `this machine's clock is ${seconds(skew)} ${ahead ? 'ahead of' : 'behind'} Attio's (±${seconds(margin)})`,
    advice: `Sync it (NTP). After a 429 the destination waits until Attio's Retry-After, a time of day: with this clock it would ${ahead ? 'retry too early and be refused again' : `wait ${seconds(skew)} too long`}.`
  }
}

const roundTrip = (exchange: DoctorExchange): number => exchange.answeredAt - exchange.sentAt

/** "0.3 s" (of a duration, or of a difference either way). */
export const seconds = (ms: number): string => `${(Math.abs(ms) / 1000).toFixed(1)} s`
