/**
 * `doctor --probe`: checks, with test records, each behaviour of Attio the destination relies on that
 * Attio's reference does not state, and deletes the records afterwards. The bulk endpoint's probes are in
 * probes-bulk.ts; here: multiselect values on assert and PATCH, the format of a 429's Retry-After, and the
 * order they run in. A probe that cannot run (an attribute or object missing) is skipped, saying why.
 */
import { retryAfterToEpoch } from '../../api/core/http'
import { seconds } from './limits'
import { MissingForProbe, sleep, type ProbeKit } from './probe-kit'
import { probeBulkEndpoint, probeInvalidAssertion, probeNestedArray, probeOrder } from './probes-bulk'
import type { DoctorReport, ProbeResult } from './types'

/** Two numbers in the range set aside for drama (Ofcom: 020 7946 0000 to 0999), so no one is called. */
const PHONES = ['+442079460001', '+442079460002']

/** A second assert replaces a multiselect attribute's values; a PATCH adds to them. */
export async function probeMultiselect(kit: ProbeKit): Promise<ProbeResult> {
  const probe = {
    id: 'multiselect',
    title: 'multiselect values: replace on assert, append on PATCH',
    expected: `a Person asserted with phone_numbers [A], then [B]: holds [B]; then a PATCH with [A]: holds [A, B]`
  }
  const person = kit.mark('multiselect', ['people'])
  const [a, b] = PHONES
  const write = (phones: string[]) =>
    kit.values('people', { email_addresses: person.email, phone_numbers: phones })
  const what = "the probe's Person"
  const { recordId } = await kit.client.assertRecord('people', 'email_addresses', await write([a]), what)
  await kit.client.assertRecord('people', 'email_addresses', await write([b]), what)
  const afterAssert = await kit.read('people', recordId, 'phone_numbers')
  const { phone_numbers: appended } = await kit.values('people', { phone_numbers: [a] })
  await kit.client.appendValues('people', recordId, { phone_numbers: appended }, what)
  const afterPatch = await kit.read('people', recordId, 'phone_numbers')
  const show = (phones: string[]) =>
    `[${phones.map((phone) => (phone === a ? 'A' : phone === b ? 'B' : phone)).join(', ')}]`
  const seen = `after the second assert ${show(afterAssert)}, after the PATCH ${show(afterPatch)}`
  const replaced = afterAssert.length === 1 && afterAssert[0] === b
  const added = afterPatch.length === 2 && afterPatch.includes(a) && afterPatch.includes(b)
  if (replaced && added) return { ...probe, status: 'agrees', seen, advice: 'none' }
  const advice = [
    replaced
      ? ''
      : 'An assert keeps the values it does not list: Multiselect mode "replace" cannot remove values (no setting changes that), and Group Workspace links users as before.',
    added
      ? ''
      : 'A PATCH replaces instead of adding: Multiselect mode "append" would remove values. Use "replace" mode and map every value, and tell the destination maintainers.'
  ]
  return { ...probe, status: 'differs', seen, advice: advice.filter(Boolean).join(' ') }
}

/** Reads in waves until Attio answers 429 (or this many reads were sent). */
const BURST_READS = 300
const WAVE = 25

/**
 * A short burst of reads (GET /v2/self, which changes nothing), stopped at the first 429: its Retry-After
 * should be an HTTP date about a second ahead of Attio's own Date. Writes are never burst (see docs/doctor.md).
 */
export async function probeRetryAfter(kit: ProbeKit): Promise<ProbeResult> {
  const probe = {
    id: 'retry-after',
    title: '429 Retry-After format',
    expected: `a read burst (at most ${BURST_READS}, stopped at the first 429) gets a 429 whose Retry-After is an HTTP date at most a few seconds after its Date`
  }
  let sent = 0
  let limited: { headers: Record<string, string>; body: unknown } | undefined
  while (!limited && sent < BURST_READS) {
    const answers = await Promise.all(Array.from({ length: WAVE }, () => kit.http.send('GET', '/v2/self')))
    sent += WAVE
    limited = answers.find((answer) => answer.status === 429)
  }
  if (!limited) {
    return {
      ...probe,
      status: 'differs',
      seen: `no 429 within ${sent} reads`,
      advice:
        "No setting must change: the destination keeps its writes under 25 a second and honours a Retry-After when one comes. Attio's limit may be higher than documented for this workspace."
    }
  }
  const header = limited.headers['retry-after']
  const date = limited.headers.date
  const code = (limited.body as { code?: unknown } | undefined)?.code
  const isDate =
    header !== undefined && !/^\s*\d+(\.\d+)?\s*$/.test(header) && Number.isFinite(Date.parse(header))
  const ahead = isDate && date ? Date.parse(header) - Date.parse(date) : undefined
  // Attio's limiter resets on the next clock second; wait for it, so nothing after this is refused.
  await sleep(Math.min(Math.max(retryAfterToEpoch(header) - Date.now(), 0) + 100, 5000))
  const seen = `429 after at most ${sent} reads; Retry-After ${header === undefined ? 'missing' : JSON.stringify(header)}${ahead !== undefined ? ` (${seconds(ahead)} after its Date)` : ''}; code ${JSON.stringify(code)}`
  if (isDate && ahead !== undefined && ahead >= 0 && ahead <= 5000) {
    return { ...probe, status: 'agrees', seen, advice: 'none' }
  }
  return {
    ...probe,
    status: 'differs',
    seen,
    advice:
      header === undefined
        ? 'No setting must change: without a Retry-After the destination waits a second and retries with back-off.'
        : 'No setting must change: the destination also reads a Retry-After in seconds; a date far ahead only makes it wait longer.'
  }
}

/** Runs one probe; an error is its result, never the end of the others. */
async function attempt(id: string, title: string, run: () => Promise<ProbeResult>): Promise<ProbeResult> {
  try {
    return await run()
  } catch (error) {
    const skipped = error instanceof MissingForProbe
    return {
      id,
      title,
      status: skipped ? 'skipped' : 'failed',
      expected: '',
      seen: `${skipped ? 'not run' : 'failed'}: ${(error as Error).message}`,
      advice: skipped
        ? 'none'
        : 'Run the doctor again; if it fails the same way, the message says what Attio refused.'
    }
  }
}

/** Every probe, the writes first and the read burst last, then the clean-up of the marked records. */
export async function runProbes(kit: ProbeKit): Promise<Pick<DoctorReport, 'probes' | 'cleanup'>> {
  const probes: ProbeResult[] = []
  const bulk = await attempt('bulk-endpoint', 'bulk endpoint', () => probeBulkEndpoint(kit))
  probes.push(bulk)
  const available = bulk.status === 'agrees'
  probes.push(await attempt('nested-array', 'nested assertions', () => probeNestedArray(kit, available)))
  probes.push(
    await attempt('invalid-assertion', 'invalid assertion', () => probeInvalidAssertion(kit, available))
  )
  probes.push(await attempt('bulk-order', 'bulk order', () => probeOrder(kit, available)))
  probes.push(await attempt('multiselect', 'multiselect', () => probeMultiselect(kit)))
  // Each probe waited for Attio to apply what it sent, so the clean-up finds it; the burst comes after.
  const cleanup = await kit.cleanUp()
  probes.push(await attempt('retry-after', '429 Retry-After', () => probeRetryAfter(kit)))
  return { probes, cleanup }
}
