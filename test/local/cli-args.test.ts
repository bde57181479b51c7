/**
 * The CLI's flags (src/local/cli-args.ts) and npm start's PORT (src/local/start.ts).
 */
import { parseArgs, UsageError } from '../../src/local/cli-args'
import { portFrom } from '../../src/local/start'

describe('CLI flags', () => {
  it('parses send and replay', () => {
    expect(parseArgs(['send', '--action', 'identifyUser', '--event=e.json', '--settings', 's.json'])).toEqual(
      {
        command: 'send',
        action: 'identifyUser',
        event: 'e.json',
        settings: 's.json',
        json: false
      }
    )
    expect(
      parseArgs(['replay', 'events.ndjson', '--batch-size', '50', '--resume', '--failures', 'f.ndjson'])
    ).toEqual({
      command: 'replay',
      file: 'events.ndjson',
      batchSize: 50,
      resume: true,
      failures: 'f.ndjson'
    })
    expect(parseArgs([])).toEqual({ command: 'none' })
    expect(parseArgs(['help'])).toEqual({ command: 'help' })
  })

  it('refuses what it does not understand', () => {
    expect(() => parseArgs(['send', '--event', 'e.json'])).toThrow(UsageError)
    expect(() => parseArgs(['replay'])).toThrow(/needs the events file/)
    expect(() => parseArgs(['replay', 'a', '--batch-size', '0'])).toThrow(/whole number/)
    expect(() => parseArgs(['replay', 'a', 'b'])).toThrow(/one too many/)
    expect(() => parseArgs(['deploy'])).toThrow(/unknown command/)
  })

  it('reads PORT', () => {
    expect(portFrom(undefined)).toBe(3000)
    expect(portFrom('4100')).toBe(4100)
    expect(() => portFrom('http')).toThrow(/not a port/)
  })
})
