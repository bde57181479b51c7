import path from 'node:path'
import Ajv from 'ajv'
import strictFastUri from 'fast-uri-3.1.9'
import destination from '../src'
import {
  assertInstallCanRun,
  incompatibleInstallMessage,
  NPM_OVERRIDE_LINE,
  otherLoadedCopies,
  schemaKeys,
  unusableKey,
  type AjvConstructor
} from '../src/install-check'

/** ajv as it runs in a host whose tree gives it fast-uri 3.1.9 (the uriResolver option swaps it in). */
class AjvWithFastUri319 extends Ajv {
  constructor(options: Record<string, unknown>) {
    super({ ...options, uriResolver: strictFastUri })
  }
}

describe('the load-time install check', () => {
  it("knows the keys actions-core registers this destination's schemas under", () => {
    expect(schemaKeys(destination)).toEqual([
      'Attio (Actions):settings',
      'Attio (Actions):Identify User',
      'Attio (Actions):Group Workspace',
      'Attio (Actions):Assert Record',
      'Attio (Actions):Sync List Entry'
    ])
  })

  it('passes with the fast-uri this package asks npm for', () => {
    expect(unusableKey(schemaKeys(destination), Ajv as unknown as AjvConstructor)).toBeUndefined()
    expect(() => assertInstallCanRun(destination, path.resolve(__dirname, '../src'))).not.toThrow()
  })

  it('refuses nothing where it cannot see the install (no actions-core to resolve from there)', () => {
    expect(() => assertInstallCanRun(destination, '/')).not.toThrow()
  })

  it('finds the key fast-uri 3.1.9 refuses, with its error', () => {
    expect(unusableKey(schemaKeys(destination), AjvWithFastUri319 as unknown as AjvConstructor)).toEqual({
      key: 'Attio (Actions):settings',
      reason: 'URI scheme is malformed.'
    })
    // A name that is a valid URI scheme passes with the same fast-uri: the check is about the name.
    expect(unusableKey(['actions-attio:settings'], AjvWithFastUri319 as unknown as AjvConstructor)).toBe(
      undefined
    )
  })

  it('tells the host the cause and the exact line to add', () => {
    const message = incompatibleInstallMessage({
      name: 'Attio (Actions)',
      key: 'Attio (Actions):settings',
      reason: 'URI scheme is malformed.',
      ajvDir: '/host/node_modules/ajv',
      fastUri: { dir: '/host/node_modules/fast-uri', version: '3.1.9' }
    })
    expect(message).toContain('fast-uri 3.1.9 (/host/node_modules/fast-uri)')
    expect(message).toContain('"Attio (Actions):settings" (URI scheme is malformed.)')
    expect(message).toContain(`\n\n  ${NPM_OVERRIDE_LINE}\n\n`)
    expect(NPM_OVERRIDE_LINE).toBe('"overrides": { "ajv": { "fast-uri": "3.1.5" } }')
    // The line is valid package.json content.
    expect(JSON.parse(`{${NPM_OVERRIDE_LINE}}`)).toEqual({ overrides: { ajv: { 'fast-uri': '3.1.5' } } })
  })

  it('sees a second copy of actions-core the host has loaded, and only a second one', () => {
    const ours = '/host/node_modules/attio-destination/node_modules/@segment/actions-core/dist/cjs/index.js'
    const theirs = '/host/node_modules/@segment/actions-core/dist/cjs/index.js'
    expect(otherLoadedCopies(ours, [ours, '/host/node_modules/ajv/dist/ajv.js'])).toEqual([])
    expect(otherLoadedCopies(ours, [theirs, ours])).toEqual(['/host/node_modules/@segment/actions-core'])
  })
})
