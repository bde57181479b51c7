/** What the doctor reports: checklist items, probe results, and the report `--json` prints. */

/** `fail` blocks delivery (the doctor exits 1); `warn` does not, but deserves a look; `info` is a figure. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip' | 'info'

export interface Check {
  /** Stable, for machines: `token`, `scopes`, `object:users`, `attributes:identifyUser:users`, … */
  id: string
  status: CheckStatus
  /** What was checked, for people: "token", "Users object". */
  title: string
  /** What was found. */
  detail: string
  /** What to do about it (failures and warnings). */
  advice?: string
}

/** `agrees`: Attio did what the emulator does; `differs`: it did not (see the advice); `failed`: no answer. */
export type ProbeStatus = 'agrees' | 'differs' | 'skipped' | 'failed'

export interface ProbeResult {
  id: string
  title: string
  status: ProbeStatus
  /** What the emulator does (what the destination assumes). */
  expected: string
  seen: string
  /** Whether a setting of the destination should change, and which. */
  advice: string
}

export interface DoctorReport {
  /** Nothing blocks delivery (and, with --probe, the probes ran and every one that ran agreed). */
  ready: boolean
  target: { apiUrl: string; credential: string; workspace?: { id?: string; name?: string; slug?: string } }
  /** Where the subscriptions came from: "the presets" or the mapping file's name. */
  subscriptionsFrom: string
  subscriptions: Array<{ name: string; partnerAction: string; subscribe: string }>
  checks: Check[]
  probes?: ProbeResult[]
  /** Why the probes asked for did not run (not confirmed, or the token cannot write). */
  probesNotRun?: string
  /** What the probes left behind: records deleted, and any that could not be. */
  cleanup?: { deleted: number; left: string[] }
}
