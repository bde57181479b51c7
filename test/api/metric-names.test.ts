/**
 * docs/observability.md lists exactly the metrics the destination emits: a metric added, renamed or dropped
 * in `METRICS` without its row (or a row left for a metric gone) fails here.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { METRICS } from '../../src/api/telemetry'

const doc = readFileSync(path.join(__dirname, '../../docs/observability.md'), 'utf8')
/** The metric names of the doc's table: the first cell of each row, in backquotes. */
const documented = [...doc.matchAll(/^\| `(attio\.[a-z_.]+)` \|/gm)].map((match) => match[1])

describe('metric names', () => {
  it('documents every metric the destination emits, and no other', () => {
    expect([...documented].sort()).toEqual(Object.values(METRICS).sort())
  })
})
