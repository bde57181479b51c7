import destination from '../../../src'

/** Every label and description a CDP shows on its settings and Edit Mapping screens. */
function shownTexts(): Array<[string, string]> {
  const texts: Array<[string, string]> = [['destination', destination.description ?? '']]
  for (const [key, field] of Object.entries(destination.authentication?.fields ?? {}))
    texts.push([`settings.${key}`, `${field.label} ${field.description ?? ''}`])
  for (const [slug, action] of Object.entries(destination.actions)) {
    texts.push([slug, `${action.title} ${action.description}`])
    for (const [key, field] of Object.entries(action.fields))
      texts.push([`${slug}.${key}`, `${field.label} ${field.description ?? ''}`])
  }
  return texts
}

describe("what a CDP's UI shows", () => {
  it('never sends a user to a file they cannot see (the README, docs/)', () => {
    const pointing = shownTexts().filter(([, text]) => /readme|docs\/|\.md\b/i.test(text))
    expect(pointing).toEqual([])
  })
})
