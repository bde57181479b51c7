/**
 * The project's own copy of Attio's OpenAPI document, so that the emulator's spec validation and the
 * conformance tests need nothing outside the repository.
 *
 *   npm run spec:copy -- <path to Attio's openapi.json>   writes spec/attio-openapi.json and its meta file
 *   npm run spec:check                                   checks the committed copy against its checksum
 *   npm run spec:check -- <path to Attio's openapi.json>  also checks it is what that document gives
 *
 * The copy keeps the structure: paths, operations (ids, parameters, security), request and response
 * schemas with their types, enums, formats, patterns and required lists, and the security schemes. It
 * drops the prose and samples (`description`, `summary`, `example`, `examples`, `externalDocs`, `x-*`
 * extensions, tags, contact details, OAuth scope descriptions) and the `webhooks` section, which no
 * request of the destination touches. Names are never dropped: a property called `description` is kept.
 *
 * One correction is applied and recorded in the meta file: the `timestamp` value schema says
 * `format: date`, while Attio returns full ISO 8601 timestamps (2023-01-02T13:00:00.000000000Z); the
 * copy says `date-time`.
 *
 * spec/attio-openapi.meta.json records the source's title, `info.version`, size and sha256, the copy's
 * size and sha256, and the corrections; `npm test` and `.ci/run` check them.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const COPY_PATH = path.resolve(__dirname, '../spec/attio-openapi.json')
export const META_PATH = path.resolve(__dirname, '../spec/attio-openapi.meta.json')

/** Annotation keywords the copy drops wherever they are keywords (not names). */
export const STRIPPED_KEYWORDS = ['description', 'summary', 'example', 'examples', 'externalDocs', 'tags']
/** Top-level sections the copy drops. */
const STRIPPED_SECTIONS = ['tags', 'webhooks']
/** Keywords whose value is a map from names (properties, paths, status codes, …) to objects. */
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'paths',
  'responses',
  'content',
  'headers',
  'schemas',
  'parameters',
  'securitySchemes',
  'requestBodies',
  'links',
  'callbacks',
  'encoding',
  'variables'
])
/** Keywords whose value is data, copied as it is. */
const DATA = new Set(['enum', 'const', 'default', 'required', 'mapping', 'security'])

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A schema, operation or other OpenAPI object without its annotations. */
function stripObject(node: Json): Json {
  if (Array.isArray(node)) return node.map(stripObject)
  if (!isObject(node)) return node
  const copy: JsonObject = {}
  for (const [key, value] of Object.entries(node)) {
    if (STRIPPED_KEYWORDS.includes(key) || key.startsWith('x-')) continue
    if (DATA.has(key)) copy[key] = value
    else if (key === 'scopes' && isObject(value)) copy[key] = scopeNames(value)
    else if (NAME_MAPS.has(key) && isObject(value)) copy[key] = stripNameMap(value)
    else copy[key] = stripObject(value)
  }
  return copy
}

/** A map from names to objects: every name kept, every object stripped. */
function stripNameMap(map: JsonObject): JsonObject {
  const copy: JsonObject = {}
  for (const [name, value] of Object.entries(map)) copy[name] = stripObject(value)
  return copy
}

/** OAuth scopes map names to descriptions: the names stay, the descriptions go. */
function scopeNames(scopes: JsonObject): JsonObject {
  return Object.fromEntries(Object.keys(scopes).map((name) => [name, '']))
}

export interface Correction {
  pointer: string
  keyword: string
  from: string
  to: string
  reason: string
}

const TIMESTAMP_REASON =
  'The timestamp value schema says format date; Attio returns full ISO 8601 timestamps (2023-01-02T13:00:00.000000000Z).'

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/** Sets `format: date-time` on every timestamp value schema that says `date`; returns where. */
function correctTimestampFormat(node: Json, pointer: string, corrections: Correction[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => correctTimestampFormat(child, `${pointer}/${index}`, corrections))
    return
  }
  if (!isObject(node)) return
  const properties = node.properties
  if (isObject(properties)) {
    const type = properties.attribute_type
    const value = properties.value
    const enumOf = isObject(type) ? type.enum : undefined
    if (
      Array.isArray(enumOf) &&
      enumOf.length === 1 &&
      enumOf[0] === 'timestamp' &&
      isObject(value) &&
      value.format === 'date'
    ) {
      value.format = 'date-time'
      corrections.push({
        pointer: `${pointer}/properties/value/format`,
        keyword: 'format',
        from: 'date',
        to: 'date-time',
        reason: TIMESTAMP_REASON
      })
    }
  }
  for (const [key, child] of Object.entries(node))
    correctTimestampFormat(child, `${pointer}/${escapePointer(key)}`, corrections)
}

export interface StructureCopy {
  text: string
  corrections: Correction[]
}

/** The structure-only copy of a parsed OpenAPI document, as the text written to spec/. */
export function structureCopy(document: Json): StructureCopy {
  if (!isObject(document) || typeof document.openapi !== 'string' || !isObject(document.paths))
    throw new Error('not an OpenAPI document (no "openapi" version or "paths")')
  const { info, ...rest } = document
  const kept = Object.fromEntries(Object.entries(rest).filter(([key]) => !STRIPPED_SECTIONS.includes(key)))
  const stripped = stripObject(kept) as JsonObject
  const source = isObject(info) ? info : {}
  const copy: JsonObject = {
    openapi: stripped.openapi,
    info: { title: source.title ?? null, version: source.version ?? null },
    ...stripped
  }
  const corrections: Correction[] = []
  correctTimestampFormat(copy, '', corrections)
  // One line: the copy is regenerated, never edited, and a pretty-printed one is five times the size.
  return { text: `${JSON.stringify(copy)}\n`, corrections }
}

export interface SpecMeta {
  note: string
  source: { title: string | null; version: string | null; openapi: string; bytes: number; sha256: string }
  copy: { path: string; bytes: number; sha256: string }
  stripped: { keywords: string[]; sections: string[] }
  corrections: Correction[]
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

/** The copy and its meta file for the source document's bytes. */
export function makeCopy(sourceBytes: Buffer): { text: string; meta: SpecMeta } {
  const document = JSON.parse(sourceBytes.toString('utf8')) as Json
  const { text, corrections } = structureCopy(document)
  const info = isObject(document) && isObject(document.info) ? document.info : {}
  const meta: SpecMeta = {
    note: "A structure-only copy of Attio's OpenAPI document, made by `npm run spec:copy -- <openapi.json>` (scripts/spec-copy.ts). Do not edit either file by hand.",
    source: {
      title: typeof info.title === 'string' ? info.title : null,
      version: typeof info.version === 'string' ? info.version : null,
      openapi: String((document as JsonObject).openapi),
      bytes: sourceBytes.length,
      sha256: sha256(sourceBytes)
    },
    copy: { path: 'spec/attio-openapi.json', bytes: Buffer.byteLength(text), sha256: sha256(text) },
    stripped: {
      keywords: [...STRIPPED_KEYWORDS, 'x-*', 'OAuth scope descriptions', 'info (all but title and version)'],
      sections: STRIPPED_SECTIONS
    },
    corrections
  }
  return { text, meta }
}

export function readMeta(): SpecMeta {
  return JSON.parse(readFileSync(META_PATH, 'utf8')) as SpecMeta
}

/** Problems with the committed copy: its checksum and size against the meta file, and, given the source, its content. */
export function checkCopy(sourceBytes?: Buffer): string[] {
  const problems: string[] = []
  const copy = readFileSync(COPY_PATH)
  const meta = readMeta()
  if (sha256(copy) !== meta.copy.sha256)
    problems.push(
      `spec/attio-openapi.json has sha256 ${sha256(copy)}, the meta file records ${meta.copy.sha256}: regenerate it with npm run spec:copy`
    )
  if (copy.length !== meta.copy.bytes)
    problems.push(`spec/attio-openapi.json is ${copy.length} bytes, the meta file records ${meta.copy.bytes}`)
  if (sourceBytes) {
    if (sha256(sourceBytes) !== meta.source.sha256)
      problems.push(
        `the source has sha256 ${sha256(sourceBytes)}, the copy was made from ${meta.source.sha256} (version ${meta.source.version})`
      )
    const made = makeCopy(sourceBytes)
    if (made.text !== copy.toString('utf8'))
      problems.push('spec/attio-openapi.json is not what npm run spec:copy makes from this source')
  }
  return problems
}

function main(): void {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const source = args.find((arg) => !arg.startsWith('--'))
  if (check) {
    const problems = checkCopy(source ? readFileSync(source) : undefined)
    const meta = readMeta()
    for (const problem of problems) console.error(`spec: ${problem}`)
    if (problems.length > 0) process.exit(1)
    console.log(
      `spec: spec/attio-openapi.json matches its checksum (${meta.copy.sha256.slice(0, 12)}…, from ${meta.source.title} ${meta.source.version}${source ? ', and is what the given source makes' : ''})`
    )
    return
  }
  if (!source) {
    console.error(
      'usage: npm run spec:copy -- <path to Attio openapi.json>   |   npm run spec:check [-- <path>]'
    )
    process.exit(2)
  }
  const { text, meta } = makeCopy(readFileSync(source))
  writeFileSync(COPY_PATH, text)
  writeFileSync(META_PATH, `${JSON.stringify(meta, null, 2)}\n`)
  console.log(
    `spec: wrote spec/attio-openapi.json (${meta.copy.bytes} bytes, from ${meta.source.title} ${meta.source.version}, ${meta.source.bytes} bytes) and spec/attio-openapi.meta.json; ${meta.corrections.length} correction(s)`
  )
}

if (require.main === module) main()
