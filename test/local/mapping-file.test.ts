/**
 * The mapping file (src/local/mapping-file.ts): subscriptions read, formatted, every problem named with its
 * place.
 */
import { formatMappingFile, MappingFileError, parseMappingFile } from '../../src/local/mapping-file'

describe('the mapping file', () => {
  const catalog = {
    identifyUser: { slug: 'identifyUser', title: 'Identify User', fields: { email_address: {}, user_id: {} } }
  }
  const problemsOf = (json: string) => {
    try {
      parseMappingFile(json, 'm.json', catalog)
    } catch (error) {
      return (error as MappingFileError).problems
    }
    return []
  }

  it('reads subscriptions, or a bare array of them, with action for partnerAction and names by default', () => {
    const subscription = { action: 'identifyUser', subscribe: 'type = "identify"' }
    const expected = {
      version: 1,
      subscriptions: [
        { name: 'Identify User', partnerAction: 'identifyUser', subscribe: 'type = "identify"', mapping: {} }
      ]
    }
    expect(parseMappingFile(JSON.stringify([subscription]), 'm.json', catalog)).toEqual(expected)
    expect(parseMappingFile(JSON.stringify({ subscriptions: [subscription] }), 'm.json', catalog)).toEqual(
      expected
    )
    // What the page exports reads back as it was.
    expect(parseMappingFile(formatMappingFile(expected.subscriptions), 'm.json', catalog)).toEqual(expected)
  })

  it('names every problem with its place', () => {
    expect(problemsOf('{"subscriptions": [')).toEqual([expect.stringMatching(/^it is not valid JSON/)])
    expect(problemsOf('"x"')).toEqual([
      'the file must hold {"subscriptions": [...]} (or an array of subscriptions).'
    ])
    expect(problemsOf('{"subscriptions": [], "version": 2}')).toEqual(['version: must be 1 (or left out)'])
    expect(problemsOf('{"subscriptions": []}')).toEqual([
      'subscriptions: is empty: give at least one subscription.'
    ])
    expect(
      problemsOf(
        JSON.stringify([
          { partnerAction: 'identifyUser', action: 'groupWorkspace', subscribe: 'type = "identify"' },
          { subscribe: 'type = "identify"', mapping: [] }
        ])
      )
    ).toEqual(['[1].mapping: must be an object: field name → value or directive'])
    expect(
      problemsOf(
        JSON.stringify([
          { partnerAction: 'identifyUser', action: 'groupWorkspace', subscribe: 'type = "identify"' },
          { subscribe: 'typo = "identify"' }
        ])
      )
    ).toEqual([
      '[0]: partnerAction "identifyUser" and action "groupWorkspace" differ; give one.',
      '[1].partnerAction: is missing: the action slug, e.g. "identifyUser"',
      expect.stringMatching(
        /^\[1\]\.subscribe: "typo = \\"identify\\"" is not a condition actions-core can evaluate/
      )
    ])
  })
})
