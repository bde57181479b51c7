/** HTTP for the local server's tests, through got (as all HTTP outside actions-core is). */

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown
}

export async function http(
  url: string,
  options: {
    method?: 'GET' | 'POST'
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
  } = {}
): Promise<HttpAnswer> {
  const { default: got } = await import('got')
  const response = await got(url, {
    method: options.method ?? (options.body !== undefined || options.rawBody !== undefined ? 'POST' : 'GET'),
    ...(options.body !== undefined ? { json: options.body } : {}),
    ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
    headers: options.headers,
    throwHttpErrors: false,
    retry: { limit: 0 },
    timeout: { request: 20_000 }
  })
  let json: unknown
  try {
    json = JSON.parse(response.body)
  } catch {
    json = undefined
  }
  return { status: response.statusCode, headers: response.headers, text: response.body, json }
}

/** An identify event as a CDP sends it. */
export function identify(userId: string, email: string, traits: Record<string, unknown> = {}) {
  return {
    type: 'identify',
    userId,
    messageId: `msg-${userId}`,
    receivedAt: '2026-11-22T10:00:00.000Z',
    traits: { email, ...traits }
  }
}

export function group(groupId: string, website: string, userId?: string) {
  return {
    type: 'group',
    groupId,
    ...(userId ? { userId } : {}),
    messageId: `msg-${groupId}`,
    receivedAt: '2026-11-22T10:00:00.000Z',
    traits: { website }
  }
}
