/**
 * What the Sync List Entry suites share: a Companies list "sales_pipeline" with a stage status and a deal
 * value, its entries, and Attio's answers for them.
 */
import nock from 'nock'
import { createTestEvent } from '@segment/actions-core'
import { API, WORKSPACE_ID } from '../../../helpers/attio-fixtures'

export const settings = { api_key: 'key-123' }
export const LIST_ID = '55555555-5555-4555-8555-555555555555'
export const COMPANY_ID = '33333333-3333-4333-8333-333333333333'
export const PERSON_ID = '44444444-4444-4444-8444-444444444444'
export const ENTRY_ID = '66666666-6666-4666-8666-666666666666'

export const listBody = (slug: string, parent: string) => ({
  data: {
    id: { workspace_id: WORKSPACE_ID, list_id: LIST_ID },
    api_slug: slug,
    name: slug,
    parent_object: [parent],
    workspace_access: 'full-access',
    workspace_member_access: [],
    created_by_actor: { type: 'system', id: null },
    created_at: '2024-01-01T00:00:00.000000000Z'
  }
})
export const listAttribute = (slug: string, type: string, extra: Record<string, unknown> = {}) => ({
  id: { workspace_id: WORKSPACE_ID, object_id: LIST_ID, attribute_id: `attr-${slug}` },
  title: slug,
  api_slug: slug,
  type,
  is_writable: true,
  is_required: false,
  is_unique: false,
  is_multiselect: false,
  is_archived: false,
  ...extra
})
export const entryBody = (parentObject: string, parentId: string, entryId = ENTRY_ID) => ({
  id: { workspace_id: WORKSPACE_ID, list_id: LIST_ID, entry_id: entryId },
  parent_record_id: parentId,
  parent_object: parentObject,
  created_at: '2024-01-01T00:00:00.000000000Z',
  entry_values: {}
})

/** The pipeline list: a Companies list with a stage status and a deal value. */
export function mockPipeline(): nock.Scope {
  const scope = nock(API).persist()
  scope.get('/v2/lists/sales_pipeline').reply(200, listBody('sales_pipeline', 'companies'))
  scope
    .get(`/v2/lists/${LIST_ID}/attributes`)
    .query({ show_archived: 'true' })
    .reply(200, {
      data: [
        listAttribute('created_at', 'timestamp', { is_writable: false }),
        listAttribute('stage', 'status'),
        listAttribute('deal_value', 'currency')
      ]
    })
  scope
    .get(`/v2/lists/${LIST_ID}/attributes/stage/statuses`)
    .query({ show_archived: 'true' })
    .reply(200, {
      data: ['Lead', 'Won'].map((title, i) => ({ id: { status_id: `s-${i}` }, title, is_archived: false }))
    })
  return scope
}

export const groupEvent = createTestEvent({
  type: 'group',
  groupId: 'g1',
  traits: { website: 'https://acme.com' }
})
