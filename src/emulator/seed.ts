/**
 * The seed: the initial workspace data (custom objects and attributes, lists, workspace members) the emulator
 * starts with. Read from `default-seed.json`, a file or an object, and checked before use.
 */
import { readFileSync } from 'node:fs'

import defaultSeedJson from './default-seed.json'
import {
  ATTRIBUTE_TYPES,
  type EmulatorOptions,
  type EmulatorSeed,
  type EmulatorSeedAttribute,
  type EmulatorSeedList,
  type EmulatorSeedObject
} from './types'
import { isPlainObject } from './util'

/** The seed of `EmulatorOptions.seed`: the default seed, a seed file's path, or a seed object. */
export function resolveSeed(seed: EmulatorOptions['seed']): EmulatorSeed {
  if (seed === undefined) return parseSeed(defaultSeedJson, 'default-seed.json')
  if (typeof seed === 'string') return loadSeedFile(seed)
  return parseSeed(seed)
}

/** Checks a seed (file contents or object) and returns it typed; throws on anything malformed. */
export function parseSeed(input: unknown, where = 'seed'): EmulatorSeed {
  if (!isPlainObject(input)) throw new Error(`${where}: expected a JSON object`)
  const seed: EmulatorSeed = {}
  if (input.workspace !== undefined) {
    if (!isPlainObject(input.workspace)) throw new Error(`${where}.workspace: expected an object`)
    const { name, slug } = input.workspace
    if (name !== undefined && typeof name !== 'string')
      throw new Error(`${where}.workspace.name: expected a string`)
    if (slug !== undefined && typeof slug !== 'string')
      throw new Error(`${where}.workspace.slug: expected a string`)
    seed.workspace = { name, slug }
  }
  if (input.members !== undefined) {
    if (!Array.isArray(input.members)) throw new Error(`${where}.members: expected an array`)
    seed.members = input.members.map((m, i) => {
      if (!isPlainObject(m) || typeof m.email_address !== 'string')
        throw new Error(`${where}.members[${i}]: expected {email_address, first_name?, last_name?}`)
      for (const k of ['first_name', 'last_name', 'access_level'])
        if (m[k] !== undefined && typeof m[k] !== 'string')
          throw new Error(`${where}.members[${i}].${k}: not a string`)
      return {
        email_address: m.email_address,
        first_name: m.first_name as string | undefined,
        last_name: m.last_name as string | undefined,
        access_level: m.access_level as 'admin' | 'member' | 'suspended' | undefined
      }
    })
  }
  if (input.objects !== undefined) {
    if (!Array.isArray(input.objects)) throw new Error(`${where}.objects: expected an array`)
    seed.objects = input.objects.map((o, i) => parseSeedObject(o, `${where}.objects[${i}]`))
  }
  if (input.attributes !== undefined) {
    if (!isPlainObject(input.attributes))
      throw new Error(`${where}.attributes: expected an object keyed by object slug`)
    seed.attributes = {}
    for (const [object, list] of Object.entries(input.attributes)) {
      if (!Array.isArray(list)) throw new Error(`${where}.attributes.${object}: expected an array`)
      seed.attributes[object] = list.map((a, i) =>
        parseSeedAttribute(a, `${where}.attributes.${object}[${i}]`)
      )
    }
  }
  if (input.lists !== undefined) {
    if (!Array.isArray(input.lists)) throw new Error(`${where}.lists: expected an array`)
    seed.lists = input.lists.map((l, i) => parseSeedList(l, `${where}.lists[${i}]`))
  }
  return seed
}

function parseSeedList(l: unknown, where: string): EmulatorSeedList {
  if (!isPlainObject(l)) throw new Error(`${where}: expected {api_slug, name, parent_object, attributes?}`)
  if (typeof l.api_slug !== 'string' || !/^[a-z][a-z0-9_]*$/.test(l.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  for (const k of ['name', 'parent_object'])
    if (typeof l[k] !== 'string' || (l[k] as string).trim() === '')
      throw new Error(`${where}.${k}: expected a non-empty string`)
  if (l.attributes !== undefined && !Array.isArray(l.attributes))
    throw new Error(`${where}.attributes: expected an array`)
  return {
    api_slug: l.api_slug,
    name: l.name as string,
    parent_object: l.parent_object as string,
    attributes: ((l.attributes as unknown[] | undefined) ?? []).map((a, i) =>
      parseSeedAttribute(a, `${where}.attributes[${i}]`)
    )
  }
}

function parseSeedObject(o: unknown, where: string): EmulatorSeedObject {
  if (!isPlainObject(o)) throw new Error(`${where}: expected {api_slug, singular_noun, plural_noun}`)
  if (typeof o.api_slug !== 'string' || !/^[a-z][a-z0-9_]*$/.test(o.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  for (const k of ['singular_noun', 'plural_noun'])
    if (typeof o[k] !== 'string' || (o[k] as string).trim() === '')
      throw new Error(`${where}.${k}: expected a non-empty string`)
  return {
    api_slug: o.api_slug,
    singular_noun: o.singular_noun as string,
    plural_noun: o.plural_noun as string
  }
}

function parseSeedAttribute(a: unknown, where: string): EmulatorSeedAttribute {
  if (!isPlainObject(a)) throw new Error(`${where}: expected an object`)
  if (typeof a.api_slug !== 'string' || !/^[a-z0-9_]+$/.test(a.api_slug))
    throw new Error(`${where}.api_slug: expected a snake_case string`)
  if (typeof a.type !== 'string' || !(ATTRIBUTE_TYPES as readonly string[]).includes(a.type))
    throw new Error(`${where}.type: expected one of ${ATTRIBUTE_TYPES.join(', ')}`)
  for (const k of ['is_multiselect', 'is_unique', 'is_required', 'is_archived'])
    if (a[k] !== undefined && typeof a[k] !== 'boolean') throw new Error(`${where}.${k}: expected a boolean`)
  for (const k of ['options', 'statuses', 'allowed_objects'])
    if (
      a[k] !== undefined &&
      (!Array.isArray(a[k]) || !(a[k] as unknown[]).every((x) => typeof x === 'string'))
    )
      throw new Error(`${where}.${k}: expected an array of strings`)
  for (const k of ['title', 'currency_code', 'display_type'])
    if (a[k] !== undefined && typeof a[k] !== 'string') throw new Error(`${where}.${k}: expected a string`)
  if (a.description !== undefined && a.description !== null && typeof a.description !== 'string')
    throw new Error(`${where}.description: expected a string or null`)
  return a as unknown as EmulatorSeedAttribute
}

export function loadSeedFile(path: string): EmulatorSeed {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`Cannot read seed file ${path}: ${(e as Error).message}`, { cause: e })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new Error(`Seed file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e })
  }
  return parseSeed(json, path)
}
