// @ts-check
/** Requests to the local server (same origin only: the server refuses others). */

/**
 * GET (no body) or POST (JSON body) to the server; the JSON answer, or an Error with the server's message.
 * @template T
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  /** @type {unknown} */
  const data = await response.json().catch(() => ({}))
  if (!response.ok) {
    const error = /** @type {{ error?: { message?: string; problems?: unknown } }} */ (data).error
    const message = error?.message || `${response.status} ${response.statusText}`
    throw Object.assign(new Error(message), { status: response.status, problems: error?.problems })
  }
  // The server's routes answer the shapes of types.d.ts.
  return /** @type {T} */ (data)
}
