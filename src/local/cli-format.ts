/** What the attio-destination CLI prints: exchanges, an action's answer, a replay's summary. */
import type { Exchange } from './exchanges'
import { formatDuration } from './progress'
import type { ReplayResult } from './replay'
import type { ActionAnswer } from './runner'

const compact = (value: unknown, max: number): string => {
  if (value === undefined) return ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}… (${text.length} characters)` : text
}

export function formatExchange(exchange: Exchange): string {
  const lines = [`${exchange.method.padEnd(5)} ${exchange.url}  → ${exchange.status}`]
  if (exchange.request.body !== undefined)
    lines.push(`      sent:     ${compact(exchange.request.body, 4000)}`)
  if (exchange.response.body !== undefined) {
    const max = exchange.method === 'GET' ? 200 : 600
    lines.push(`      received: ${compact(exchange.response.body, max)}`)
  }
  return lines.join('\n')
}

/** `Company 4727d629… asserted, Workspace 9d007caa… asserted` */
function recordsLine(result: unknown): string | undefined {
  const records = (result as { records?: unknown } | undefined)?.records
  if (!Array.isArray(records) || records.length === 0) return undefined
  return records
    .map((record: { label?: string; record_id?: string; result?: string }) =>
      `${record.label ?? 'record'} ${record.record_id ?? ''} ${record.result ?? ''}`.trim()
    )
    .join(', ')
}

function errorLines(answer: ActionAnswer): string[] {
  const error = answer.error
  if (!error) return []
  const head = `error: ${error.status}${error.code ? ` ${error.code}` : ''}`
  if (error.problems && error.problems.length > 1) {
    return [`${head}: ${error.problems.length} problems`, ...error.problems.map((p) => `  - ${p.message}`)]
  }
  return [`${head}${error.field ? ` (field ${error.field})` : ''}: ${error.message}`]
}

export function formatAnswer(answer: ActionAnswer): string {
  const lines: string[] = []
  const outcome = answer.ok ? 'ok' : 'FAILED'
  lines.push(
    `${answer.action}${answer.batch ? ` (batch of ${answer.multistatus?.length ?? '?'})` : ''}: ${outcome} in ${answer.durationMs} ms, ${answer.exchanges.length} HTTP exchange${answer.exchanges.length === 1 ? '' : 's'} with Attio`
  )
  for (const exchange of answer.exchanges) lines.push(formatExchange(exchange))
  lines.push(...errorLines(answer))
  if (answer.result !== undefined) {
    const written = recordsLine(answer.result)
    if (!answer.ok && written) lines.push(`written before the error: ${written}`)
    else lines.push(`result: ${compact(answer.result, 4000)}`)
  }
  answer.multistatus?.forEach((entry, index) => {
    const ok = entry.status >= 200 && entry.status < 300
    const state = entry.status === 202 ? 'accepted (Attio applies it asynchronously)' : 'ok'
    lines.push(
      `event ${index + 1}: ${entry.status} ${ok ? state : `${entry.errortype ?? 'error'}${entry.field ? ` (field ${entry.field})` : ''}: ${entry.errormessage ?? ''}`}`
    )
  })
  return `${lines.join('\n')}\n`
}

function reasonLines(reasons: Record<string, number>): string[] {
  return Object.entries(reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `    ${String(count).padStart(6)}  ${reason}`)
}

export function formatSummary(result: ReplayResult, file: string): string {
  const { tallies } = result
  const seconds = result.durationMs / 1000
  const rate = seconds > 0 ? result.doneThisRun / seconds : 0
  const lines: string[] = []
  const state = result.interrupted ? 'interrupted' : result.complete ? 'finished' : 'stopped'
  lines.push(
    `Replay of ${file} ${state}: ${result.alreadyDone + result.doneThisRun} of ${result.total} events processed` +
      (result.alreadyDone > 0 ? ` (${result.alreadyDone} by earlier runs)` : '') +
      `; this run: ${result.doneThisRun} in ${formatDuration(result.durationMs)} (${rate.toFixed(1)} events/s).`
  )
  const byAction = Object.entries(tallies.deliveredByAction)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, count]) => `${action} ${count}`)
    .join(', ')
  lines.push(`  delivered ${tallies.delivered}${byAction ? ` (${byAction})` : ''}`)
  lines.push(`  failed    ${tallies.failed}`, ...reasonLines(tallies.failureReasons))
  lines.push(`  skipped   ${tallies.skipped}`, ...reasonLines(tallies.skipReasons))
  lines.push(
    `  retries ${tallies.retries} (events sent again after a 429, 5xx or time-out), ${tallies.deferred} sent once more at the end after a 404; 429 answers from Attio ${tallies.rateLimited}`
  )
  if (result.failuresFile) {
    lines.push(
      `Failed events: ${result.failuresFile} (reasons, line by line: ${result.reasonsFile}). Fix them and send them again with: attio-destination replay ${result.failuresFile}`
    )
  }
  if (!result.complete) {
    lines.push(
      `Checkpoint: ${result.checkpointFile}. Continue with: attio-destination replay ${file} --resume`
    )
  }
  return `${lines.join('\n')}\n`
}
