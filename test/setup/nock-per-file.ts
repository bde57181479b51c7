/**
 * nock intercepts node's http module itself, which every test file of a Jest worker shares. A file that
 * imports nock and never restores it leaves its interceptor active for the files after it: a later
 * file's requests to the emulator then go through the stale interceptor, and when that file loads its
 * own copy of nock the two intercept on top of each other, so an error the newer one raises reaches no
 * listener and crashes the worker ("Unhandled error ... Nock: Disallowed net connect"). So after every
 * file that activated nock, nock is restored, whether the file did it or not. Files that never import
 * nock are left alone (importing it would activate it for them).
 */
import http from 'node:http'

const pristineRequest = http.request

afterAll(() => {
  if (http.request === pristineRequest) return
  // The file loaded nock (the same instance: setup files share the file's module registry).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nock = require('nock') as typeof import('nock')
  nock.cleanAll()
  nock.enableNetConnect()
  nock.restore()
})
