/** The doctor's report for people (a checklist, then the probes) and for machines (`--json`). */
import type { Check, CheckStatus, DoctorReport, ProbeResult } from './types'

const MARK: Record<CheckStatus, string> = { ok: 'ok', fail: 'FAIL', warn: 'warn', skip: 'skip', info: 'info' }
const TITLE_WIDTH = 30

const indent = (label: string, text: string, width: number): string => `${' '.repeat(width)}${label}${text}`

function checkLines(check: Check): string[] {
  const title = check.title.length >= TITLE_WIDTH ? `${check.title} ` : check.title.padEnd(TITLE_WIDTH)
  const lines = [`  ${MARK[check.status].padEnd(5)} ${title}${check.detail}`]
  if (check.advice) lines.push(indent('→ ', check.advice, 8))
  return lines
}

function probeLines(probe: ProbeResult): string[] {
  return [
    `  ${probe.status.padEnd(8)} ${probe.title}`,
    ...(probe.expected ? [indent('expected: ', probe.expected, 11)] : []),
    indent('seen:     ', probe.seen, 11),
    indent('advice:   ', probe.advice, 11)
  ]
}

/** What blocks delivery (the failed checks), and what the probes found that differs. */
function verdict(report: DoctorReport): string {
  const failed = report.checks.filter((check) => check.status === 'fail').length
  const differing = (report.probes ?? []).filter((p) => p.status === 'differs' || p.status === 'failed')
  const parts: string[] = []
  if (failed > 0) {
    parts.push(
      `Not ready: ${failed} problem${failed > 1 ? 's' : ''} block${failed > 1 ? '' : 's'} delivery (FAIL above).`
    )
  } else {
    parts.push('Ready: nothing blocks delivery.')
  }
  if (report.probesNotRun) parts.push('The probes did not run.')
  else if (report.probes) {
    parts.push(
      differing.length === 0
        ? 'Every probe that ran agrees with the emulator.'
        : `${differing.length} probe${differing.length > 1 ? 's' : ''} did not agree with the emulator: see their advice.`
    )
  }
  return parts.join(' ')
}

export function formatReport(report: DoctorReport): string {
  const workspace = report.target.workspace?.name ? `, workspace "${report.target.workspace.name}"` : ''
  const subscriptions = report.subscriptions
    .map((s) => `${s.name} (${s.partnerAction}) on ${s.subscribe}`)
    .join('; ')
  const lines = [
    `attio-destination doctor: ${report.target.apiUrl}${workspace}, with ${report.target.credential}`,
    `Subscriptions (${report.subscriptionsFrom}): ${subscriptions}`,
    'Fixed values are checked here; values read from events are checked as each event is sent.',
    '',
    ...report.checks.flatMap(checkLines)
  ]
  if (report.probesNotRun) lines.push('', `Probes: not run: ${report.probesNotRun}.`)
  if (report.probes) {
    lines.push('', "Probes (expected: the emulator's behaviour, which the destination relies on):")
    lines.push(...report.probes.flatMap(probeLines))
  }
  if (report.cleanup) {
    const left = report.cleanup.left
    lines.push(
      '',
      `Clean-up: ${report.cleanup.deleted} test record${report.cleanup.deleted === 1 ? '' : 's'} deleted${left.length ? `; not deleted: ${left.join('; ')}` : ''}.`
    )
  }
  lines.push('', verdict(report))
  return `${lines.join('\n')}\n`
}

export const formatJson = (report: DoctorReport): string => `${JSON.stringify(report, null, 2)}\n`
