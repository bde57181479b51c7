/**
 * How deeply a mapped value nests objects and arrays: `prepareRecord` refuses values nested deeper than
 * any form Attio takes, and the local tools name the path to the deepest point.
 */

/** The deepest a mapped value may nest objects and arrays: Attio's deepest value form nests four. */
export const MAX_VALUE_DEPTH = 32

/**
 * How deeply a value nests objects and arrays, and the path (its first keys) to its deepest point. Iterative,
 * so any depth is measured without recursion; with `stopAt`, it stops once that depth is reached.
 */
export function deepest(value: unknown, stopAt = Infinity): { depth: number; path: string[] } {
  let best = { depth: 0, path: [] as string[] }
  const stack: Array<{ value: unknown; depth: number; path: string[] }> = [{ value, depth: 0, path: [] }]
  while (stack.length > 0 && best.depth < stopAt) {
    const item = stack.pop() as { value: unknown; depth: number; path: string[] }
    if (item.value === null || typeof item.value !== 'object') continue
    const depth = item.depth + 1
    if (depth > best.depth) best = { depth, path: item.path }
    for (const [key, child] of Object.entries(item.value)) {
      // The path is kept only while it is short: a message names its start.
      stack.push({
        value: child,
        depth,
        path: item.path.length < PATH_KEPT ? [...item.path, key] : item.path
      })
    }
  }
  return best
}

const PATH_KEPT = 6
