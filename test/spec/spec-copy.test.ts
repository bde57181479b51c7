import { readFileSync } from 'node:fs'
import { checkCopy, COPY_PATH, makeCopy, readMeta, sha256, structureCopy } from '../../scripts/spec-copy'

const committed = readFileSync(COPY_PATH, 'utf8')

/** The value at a JSON pointer. */
function at(document: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document)
}

describe("the project's copy of Attio's OpenAPI document (spec/)", () => {
  it('matches the checksum and size its meta file records', () => {
    expect(checkCopy()).toEqual([])
    const meta = readMeta()
    expect(sha256(committed)).toBe(meta.copy.sha256)
    expect(meta.source).toMatchObject({ title: 'Attio API', version: '2.0.0', openapi: '3.1.0' })
    expect(meta.source.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('is structure only, already corrected: making a copy of it changes nothing', () => {
    const again = structureCopy(JSON.parse(committed))
    expect(again.corrections).toEqual([])
    expect(again.text).toBe(committed)
  })

  it('records each correction, and the copy carries it: timestamps are date-time', () => {
    const meta = readMeta()
    const document = JSON.parse(committed) as unknown
    expect(meta.corrections.length).toBeGreaterThan(0)
    for (const correction of meta.corrections) {
      expect(correction).toMatchObject({ keyword: 'format', from: 'date', to: 'date-time' })
      expect(at(document, correction.pointer)).toBe('date-time')
    }
    expect(meta.corrections.map((c) => c.pointer)).toContain(
      '/components/schemas/output-value/anyOf/18/properties/value/format'
    )
  })

  it('keeps the paths, parameters, schemas, enums and formats the emulator and the tests use', () => {
    const document = JSON.parse(committed) as {
      paths: Record<string, Record<string, { parameters?: unknown[]; security?: unknown }>>
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
    }
    const assert = document.paths['/v2/objects/{object}/records']?.put
    expect(assert?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'matching_attribute', in: 'query', required: true })
      ])
    )
    expect(assert?.security).toEqual([
      { oauth2: ['record_permission:read-write', 'object_configuration:read'] }
    ])
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v2/self',
        '/v2/{target}/{identifier}/attributes',
        '/v2/objects/{object}/records/query'
      ])
    )
    expect(Object.keys(document.components.schemas)).toContain('output-value')
    const scopes = at(document, '/components/securitySchemes/oauth2/flows/authorizationCode/scopes')
    expect(Object.keys(scopes as object)).toContain('record_permission:read-write')
  })
})

describe('npm run spec:copy', () => {
  const source = {
    openapi: '3.1.0',
    info: { title: 'T', version: '9.9.9', contact: { email: 'x@example.com' } },
    tags: [{ name: 'Objects', description: 'prose' }],
    'x-vendor': true,
    paths: {
      '/v2/things/{id}': {
        get: {
          summary: 'Get a thing',
          description: 'prose',
          tags: ['Objects'],
          'x-speakeasy-name-override': 'get',
          operationId: 'getThing',
          security: [{ oauth2: ['thing:read'] }],
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'prose',
              schema: { type: 'string', example: 'a' }
            }
          ],
          responses: {
            '200': {
              description: 'Success',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    description: 'prose',
                    required: ['description', 'kind'],
                    properties: {
                      description: { type: ['string', 'null'], description: 'a property named description' },
                      kind: { type: 'string', enum: ['a', 'b'], example: 'a' },
                      at: { type: 'string', format: 'date-time', examples: ['2023-01-01T00:00:00Z'] },
                      value: {
                        type: 'object',
                        properties: {
                          attribute_type: { type: 'string', enum: ['timestamp'] },
                          value: { type: 'string', format: 'date' }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'prose',
          flows: { authorizationCode: { scopes: { 'thing:read': 'prose' } } }
        }
      }
    },
    webhooks: { thing: { post: {} } }
  }

  it('drops the prose, samples, tags, extensions and webhooks, and keeps every name and constraint', () => {
    const copy = JSON.parse(structureCopy(source).text)
    expect(copy).toEqual({
      openapi: '3.1.0',
      info: { title: 'T', version: '9.9.9' },
      paths: {
        '/v2/things/{id}': {
          get: {
            operationId: 'getThing',
            security: [{ oauth2: ['thing:read'] }],
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: {
              '200': {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['description', 'kind'],
                      properties: {
                        description: { type: ['string', 'null'] },
                        kind: { type: 'string', enum: ['a', 'b'] },
                        at: { type: 'string', format: 'date-time' },
                        value: {
                          type: 'object',
                          properties: {
                            attribute_type: { type: 'string', enum: ['timestamp'] },
                            value: { type: 'string', format: 'date-time' }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      },
      components: {
        securitySchemes: {
          oauth2: { type: 'oauth2', flows: { authorizationCode: { scopes: { 'thing:read': '' } } } }
        }
      }
    })
  })

  it('records the source version, both checksums and the timestamp correction', () => {
    const bytes = Buffer.from(JSON.stringify(source))
    const { text, meta } = makeCopy(bytes)
    expect(meta.source).toEqual({
      title: 'T',
      version: '9.9.9',
      openapi: '3.1.0',
      bytes: bytes.length,
      sha256: sha256(bytes)
    })
    expect(meta.copy).toEqual({
      path: 'spec/attio-openapi.json',
      bytes: Buffer.byteLength(text),
      sha256: sha256(text)
    })
    expect(meta.corrections).toEqual([
      expect.objectContaining({
        pointer:
          '/paths/~1v2~1things~1{id}/get/responses/200/content/application~1json/schema/properties/value/properties/value/format',
        from: 'date',
        to: 'date-time'
      })
    ])
  })

  it('refuses a file that is not an OpenAPI document', () => {
    expect(() => structureCopy({ hello: 'world' })).toThrow('not an OpenAPI document')
  })
})
