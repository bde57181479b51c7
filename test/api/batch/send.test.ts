/**
 * The batch path's bulk request (src/api/batch/send.ts): the status of a failed bulk call on every event it
 * carried.
 */
import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import destination from '../../../src'
import { API, errorBody, mockSchema, useNock } from '../../helpers/attio-fixtures'
import { auth, identify, multistatus } from './helpers'

useNock()

describe('batch path: outcomes', () => {
  it.each([
    [400, 'validation_type', false],
    [429, 'rate_limit_exceeded', true],
    [503, 'service_unavailable', true]
  ])(
    "a %i of the bulk call becomes that status on each event it carried, with Attio's message",
    async (status, code) => {
      mockSchema()
      nock(API)
        .put('/v2/batch/records')
        .reply(status, errorBody(status, code, 'Attio says no'))
      const integration = createTestIntegration(destination)
      await integration.testBatchAction('identifyUser', {
        events: [identify('u-1', 'a@b.co', 1), identify('u-2', 'c@d.co', 2)],
        auth,
        useDefaultMappings: true
      })
      const results = multistatus(integration)
      expect(results.map((r) => r.status)).toEqual([status, status])
      expect(results[0].errormessage).toContain(`${code}: Attio says no`)
    }
  )
})
