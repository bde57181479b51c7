/**
 * Mapping checks (src/local/mapping-check.ts): plain text that looks like a directive, in every field.
 */
import { directiveLookalike, checkMapping } from '../../src/local/mapping-check'

describe('mapping checks', () => {
  it('tells plain text that looks like a directive', () => {
    expect(directiveLookalike('{"@template": "{{traits.name}}"')).toMatch(
      /looks like a mapping directive but is not valid JSON/
    )
    expect(directiveLookalike('{"@path": "$.traits.name"}')).toMatch(/is a mapping directive written as text/)
    expect(directiveLookalike('$.traits.name')).toMatch(/is a path written as text/)
    expect(directiveLookalike('{{traits.name}}')).toMatch(/is a template written as text/)
    expect(directiveLookalike('{{traits.name}')).toMatch(/has unbalanced template braces/)
    for (const text of ['Ada', '{not a directive}', '$ 5', 'people'])
      expect(directiveLookalike(text)).toBeUndefined()
  })

  it('checks every field, inside key-value fields too, and leaves directives to actions-core', () => {
    const action = { slug: 'identifyUser', fields: { email_address: {}, person_attributes: {} } }
    expect(
      checkMapping(
        {
          email_address: { '@path': '$.traits.email' },
          person_attributes: { job_title: '{"@template": "x"', name: { '@template': '{{traits.name}}' } },
          emial: 'x'
        },
        action
      ).map((problem) => problem.field)
    ).toEqual(['person_attributes.job_title', 'emial'])
    expect(checkMapping({ email_address: { '@tempalte': 'x' } }, action)).toEqual([
      { field: 'email_address', message: 'email_address: has an invalid directive: @tempalte.' }
    ])
  })
})
