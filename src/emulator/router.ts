/**
 * Routing: a route (method, path template, rate-limit kind, scopes, handler), the context its handler gets,
 * and matching a request to the most specific route (the most literal segments wins; the first on a tie).
 */
import type { TokenState } from './auth'
import type { RequestKind } from './rate-limit'
import type { Reply } from './reply'
import type { EmulatorActor } from './types'

/** What a route's handler gets: the request, its path parameters (decoded) and body, who sent it. */
export interface Ctx {
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  /** Whether the request had a body at all (a query without one reads as `{}`). */
  hasBody: boolean
  token: TokenState
  actor: EmulatorActor
}

export interface Route {
  method: string
  template: string
  segments: string[]
  /** Which rate limit it counts against and which requests faults are injected into; null for neither. */
  kind: RequestKind | null
  scopes: string[]
  /** The emulator's own `/_emulator` routes: no token, no stats, no faults, no body. */
  internal: boolean
  handler: (c: Ctx) => Reply
}

/** A route; `template` is a path with `{name}` segments for its parameters. */
export const route = (
  method: string,
  template: string,
  kind: RequestKind | null,
  scopes: string[],
  handler: (c: Ctx) => Reply,
  internal = false
): Route => ({ method, template, segments: template.split('/'), kind, scopes, handler, internal })

export interface Match {
  route: Route
  params: Record<string, string>
}

/** The parameters of `segs` under route `r`, and how many literal segments matched; null if it does not. */
function matchRoute(r: Route, segs: string[]): { params: Record<string, string>; literals: number } | null {
  const params: Record<string, string> = {}
  let literals = 0
  for (let i = 0; i < segs.length; i++) {
    const t = r.segments[i]
    if (t.startsWith('{')) {
      if (!segs[i]) return null
      try {
        params[t.slice(1, -1)] = decodeURIComponent(segs[i])
      } catch {
        return null
      }
    } else if (t === segs[i]) literals++
    else return null
  }
  return { params, literals }
}

export class Router {
  constructor(private readonly routes: readonly Route[]) {}

  /** The most specific route for a request, with its path parameters; null when none matches. */
  match(method: string, path: string): Match | null {
    const segs = path.split('/')
    let best: (Match & { literals: number }) | null = null
    for (const r of this.routes) {
      if (r.method !== method || r.segments.length !== segs.length) continue
      const m = matchRoute(r, segs)
      if (m && (!best || m.literals > best.literals)) best = { route: r, ...m }
    }
    return best
  }
}
