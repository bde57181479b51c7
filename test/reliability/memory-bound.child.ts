/**
 * Child process of memory-bound.test.ts (started with --expose-gc): writes RECORDS Persons, each with a text
 * value of SIZE bytes, through the destination's client on the single path (Attio's answers stubbed, no
 * network), then reports how much the heap grew with the write memory holding them. One credential per record
 * keeps the client's write pacing out of the way; the memory is one store for the whole process.
 */
import type { RequestClient } from '@segment/actions-core'
import { connect, writeMemorySize } from '../../src/api'
import { ATTRIBUTES, OBJECTS, recordBody } from '../helpers/attio-fixtures'

const records = Number(process.env.RECORDS ?? 300)
const size = Number(process.env.SIZE ?? 1024 * 1024)

const stub = (async (url: string, options: { method?: string }) => {
  const path = new URL(url).pathname
  if (path === '/v2/objects') return { data: { data: OBJECTS } }
  const attributes = /^\/v2\/objects\/(\w+)\/attributes$/.exec(path)
  if (attributes) return { data: { data: ATTRIBUTES[attributes[1]] } }
  if (options.method === 'PUT' || options.method === 'PATCH') return { data: recordBody('people') }
  throw new Error(`unexpected request ${options.method ?? 'GET'} ${path}`)
}) as unknown as RequestClient

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with --expose-gc')
  // One write first, so module state and caches that do not grow with the records are in the baseline.
  const write = (i: number) =>
    connect(stub, { settings: { api_key: `key_${i}` } }).assertRecords([
      {
        object: 'people',
        label: 'Person',
        matchingAttribute: 'email_addresses',
        matchingField: 'email',
        values: [
          { attribute: 'email_addresses', value: `p${i}@example.com`, field: 'email' },
          { attribute: 'description', value: `${i}`.padEnd(size, 'x'), field: 'description' }
        ]
      }
    ])
  await write(-1)
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < records; i++) await write(i)
  gc()
  const after = process.memoryUsage().heapUsed
  process.stdout.write(
    `${JSON.stringify({ remembered: writeMemorySize(), growthMb: (after - before) / 1024 / 1024 })}\n`
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
