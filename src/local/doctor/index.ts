/**
 * `attio-destination doctor`: is this workspace ready for the destination? A read-only checklist of the
 * token, its scopes, the objects, the attributes the subscriptions map, lists, rate limits and the clock;
 * with `probe`, also the behaviours of Attio the destination relies on that its reference does not state,
 * checked with marked test records that are deleted afterwards (see docs/doctor.md).
 */
import * as config from '../../api/core/config'
import { AttioClient } from '../../api'
import type { Subscription } from '../mapping-file'
import { LocalRunner } from '../runner'
import { checkAttributes } from './attributes'
import { checkLists, checkObjects, checkScopes, checkToken, type DoctorContext } from './checks'
import { DoctorHttp } from './http'
import { checkClock, checkRateLimits } from './limits'
import { planSubscription } from './plan'
import { ProbeKit, type ProbeTiming } from './probe-kit'
import { runProbes } from './probes'
import type { Check, DoctorReport } from './types'

export { formatJson, formatReport } from './report'
export type { Check, DoctorReport, ProbeResult } from './types'

export interface DoctorOptions {
  /** Attio's API base URL. */
  apiUrl: string
  /** The API key or OAuth access token ('' when there is none: the report says so). */
  credential: string
  /** Where the credential came from, for the report: "ATTIO_API_KEY", … (never the credential). */
  credentialSource: string
  settings?: { default_phone_country?: string }
  subscriptions: Subscription[]
  /** "the presets", or the mapping file's name. */
  subscriptionsFrom: string
  /** Run the probes (they write): `confirm` is asked first, with the workspace named. */
  probe?: { confirm: (question: string) => Promise<boolean>; timing?: ProbeTiming }
  runner?: LocalRunner
}

/** The checklist, then the probes when asked for and confirmed. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const runner = options.runner ?? new LocalRunner()
  const report: DoctorReport = {
    ready: false,
    target: { apiUrl: options.apiUrl, credential: options.credentialSource },
    subscriptionsFrom: options.subscriptionsFrom,
    subscriptions: options.subscriptions.map(({ name, partnerAction, subscribe }) => ({
      name,
      partnerAction,
      subscribe
    })),
    checks: []
  }
  if (!options.credential) {
    report.checks.push(noCredential())
    return report
  }
  // The destination's client builds its URLs from ATTIO_API_URL, as it does in a host.
  config.useApiUrl(options.apiUrl)
  const http = new DoctorHttp(options.apiUrl, options.credential)
  const client = new AttioClient(http.requestClient(), options.credential, [], { suppressUnchanged: false })
  const ctx: DoctorContext = {
    http,
    client,
    settings: options.settings ?? {},
    plans: options.subscriptions.map((subscription) => planSubscription(runner, subscription)),
    objects: [],
    attributes: new Map()
  }
  const token = await checkToken(ctx)
  report.checks.push(token)
  report.target.workspace = ctx.workspace
  if (token.status === 'ok') {
    const scopes = checkScopes(ctx)
    report.checks.push(scopes, ...(await checkObjects(ctx)))
    for (const plan of ctx.plans) report.checks.push(...(await checkAttributes(ctx, plan)))
    report.checks.push(...(await checkLists(ctx)))
    if (options.probe) await probe(ctx, scopes, options.probe, report)
  } else if (options.probe) {
    report.probesNotRun = 'the token check did not pass (above); nothing was written'
  }
  return { ...report, ...finish(report, http) }
}

/** The probes, once confirmed; why not, in the report, when they do not run. */
async function probe(
  ctx: DoctorContext,
  scopes: Check,
  options: NonNullable<DoctorOptions['probe']>,
  report: DoctorReport
): Promise<void> {
  if (scopes.status !== 'ok') {
    report.probesNotRun = 'the token lacks the scopes they need (above); nothing was written'
    return
  }
  const name = ctx.workspace?.name ? `"${ctx.workspace.name}"` : 'this workspace'
  const question = `--probe writes test records to the Attio workspace ${name} at ${ctx.http.baseUrl}, then deletes them: use a sandbox workspace. Write them? [y/N] `
  if (!(await options.confirm(question))) {
    report.probesNotRun = 'not confirmed (answer y, or give --yes); nothing was written'
    return
  }
  Object.assign(report, await runProbes(new ProbeKit(ctx.http, ctx.client, options.timing)))
}

/** The figures the exchanges give, and the verdict. */
function finish(report: DoctorReport, http: DoctorHttp): Pick<DoctorReport, 'checks' | 'ready'> {
  const checks = [...report.checks, checkRateLimits(http.exchanges), checkClock(http.exchanges)]
  const probesAgree =
    report.probesNotRun === undefined &&
    (report.probes ?? []).every((p) => p.status === 'agrees' || p.status === 'skipped')
  return { checks, ready: checks.every((check) => check.status !== 'fail') && probesAgree }
}

function noCredential(): Check {
  return {
    id: 'credential',
    title: 'credential',
    status: 'fail',
    detail: 'no Attio credential was given',
    advice:
      'Set ATTIO_API_KEY (a workspace API key) or ATTIO_ACCESS_TOKEN (an OAuth access token), or give --settings with api_key. To try the doctor on the emulator: start `npx attio-emulator` (in a clone: `npm run -s emulator`) in another shell and export the two lines it prints.'
  }
}
