/**
 * Every failed event's `errortype` is one of actions-core's error types (`ErrorCodes`), the names a host
 * reads: a network failure's own code (ECONNRESET) is not one and never reaches the host as one.
 */
import nock from 'nock'
import { createTestIntegration, ErrorCodes } from '@segment/actions-core'
import destination from '../../../src'
import { errorOutcome } from '../../../src/api/batch'
import { AttioApiError } from '../../../src/api/errors'
import { API, mockSchema, useNock } from '../../helpers/attio-fixtures'
import { auth, identify, multistatus } from './helpers'

useNock()

const networkError = (code: string) => Object.assign(new Error(`socket hang up (${code})`), { code })

describe('batch path: error types', () => {
  it('answers a bulk request lost to a connection reset with a known error type, not the socket code', async () => {
    mockSchema()
    nock(API).put('/v2/batch/records').times(3).replyWithError(networkError('ECONNRESET'))
    const integration = createTestIntegration(destination)
    await integration.testBatchAction('identifyUser', {
      events: [identify('u-1', 'ada@example.com', 1)],
      auth,
      useDefaultMappings: true
    })
    const [result] = multistatus(integration)
    expect(result.status).toBeGreaterThanOrEqual(500)
    expect(Object.keys(ErrorCodes)).toContain(result.errortype)
    expect(result.errortype).not.toBe('ECONNRESET')
  })

  it('keeps the error type an Attio error carries and maps unknown codes to UNKNOWN_ERROR', () => {
    const refused = errorOutcome(new AttioApiError('Attio refused it', 409, 'uniqueness_conflict'))
    expect(refused).toMatchObject({ ok: false, status: 409, errortype: 'CONFLICT' })
    expect(errorOutcome(networkError('ECONNRESET'))).toMatchObject({
      status: 500,
      errortype: 'UNKNOWN_ERROR'
    })
    expect(errorOutcome(networkError('RETRYABLE_ERROR'))).toMatchObject({ errortype: 'RETRYABLE_ERROR' })
    expect(errorOutcome(Object.assign(new Error('no'), { status: 401 }))).toMatchObject({
      errortype: 'INVALID_AUTHENTICATION'
    })
  })
})
