/**
 * Replay's names for things (src/local/replay: ledger, schedule, files): failure reasons by shape, what an
 * event is about, the failures and reasons files.
 */
import { defaultFailuresFile, identityKeys, reasonKey, reasonsFileFor } from '../../../src/local/replay'

describe('replay naming', () => {
  it('groups failure messages by their shape, not their values', () => {
    expect(reasonKey(400, 'email_address: "a" is not valid')).toBe(
      reasonKey(400, 'email_address: "b" is not valid')
    )
    expect(reasonKey(400, 'x')).not.toBe(reasonKey(503, 'x'))
  })

  it('knows what an event is about, to keep such events in order', () => {
    expect(identityKeys({ type: 'identify', userId: 'u1', traits: { email: 'Ada@Example.com ' } })).toEqual([
      'user:u1',
      'email:ada@example.com'
    ])
    expect(
      identityKeys({ type: 'group', userId: 'u1', groupId: 42, traits: { website: 'acme.com' } })
    ).toEqual(['user:u1', 'group:42', 'domain:acme.com'])
    expect(identityKeys({ type: 'track' })).toEqual([])
  })

  it('names the failures file and its reasons next to the events, one round after another', () => {
    expect(defaultFailuresFile('/d/events.ndjson')).toBe('/d/events.failures.ndjson')
    expect(defaultFailuresFile('/d/events.failures.ndjson')).toBe('/d/events.failures-2.ndjson')
    expect(defaultFailuresFile('/d/events.failures-2.ndjson')).toBe('/d/events.failures-3.ndjson')
    expect(defaultFailuresFile('/d/events.txt')).toBe('/d/events.txt.failures.ndjson')
    expect(reasonsFileFor('/d/out.ndjson')).toBe('/d/out.reasons.ndjson')
  })
})
