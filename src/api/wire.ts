/**
 * Attio's response shapes, checked with zod at the boundary (from Attio's OpenAPI document). Only the
 * parts the destination reads are declared; everything else is ignored. A response that does not have
 * them is an error with a clear message, never a crash further in.
 */
import { z } from 'zod'
import { ATTRIBUTE_TYPES, type AttributeType } from './values'

export const attioErrorBody = z.object({
  status_code: z.number().optional(),
  type: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  validation_errors: z
    .array(
      z.object({
        path: z.array(z.union([z.string(), z.number()])).optional(),
        message: z.string().optional()
      })
    )
    .optional()
})
export type AttioErrorBody = z.infer<typeof attioErrorBody>

export const selfResponse = z.union([
  z.object({
    active: z.literal(true),
    scope: z.string().default(''),
    workspace_id: z.string().optional(),
    workspace_name: z.string().optional(),
    workspace_slug: z.string().optional()
  }),
  z.object({ active: z.literal(false) })
])
export type SelfResponse = z.infer<typeof selfResponse>

export const recordResponse = z.object({
  data: z.object({
    id: z.object({ record_id: z.string().min(1) }),
    values: z.record(z.string(), z.unknown()).optional()
  })
})

export const recordListResponse = z.object({
  data: z.array(
    z.object({
      id: z.object({ record_id: z.string().min(1) }),
      values: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional()
    })
  )
})

const objectEntry = z.object({
  id: z.object({ object_id: z.string() }),
  api_slug: z.string().nullable(),
  singular_noun: z.string().nullable(),
  plural_noun: z.string().nullable()
})
export const objectListResponse = z.object({ data: z.array(objectEntry) })
export const objectResponse = z.object({ data: objectEntry })

const attributeEntry = z.object({
  id: z.object({ attribute_id: z.string() }),
  title: z.string(),
  api_slug: z.string(),
  type: z.string(),
  is_writable: z.boolean().optional().default(true),
  is_required: z.boolean().optional().default(false),
  is_unique: z.boolean().optional().default(false),
  is_multiselect: z.boolean().optional().default(false),
  is_archived: z.boolean().optional().default(false),
  is_default_value_enabled: z.boolean().optional().default(false),
  config: z
    .object({
      record_reference: z.object({ allowed_object_ids: z.array(z.string()).nullish() }).nullish()
    })
    .nullish()
})
export const attributeListResponse = z.object({ data: z.array(attributeEntry) })

const optionEntry = z.object({
  id: z.record(z.string(), z.string()).optional(),
  title: z.string(),
  is_archived: z.boolean().optional().default(false)
})
export const optionListResponse = z.object({ data: z.array(optionEntry) })

export interface ObjectDef {
  id: string
  slug: string
  singular: string
  plural: string
}

export interface AttributeDef {
  id: string
  slug: string
  title: string
  /** null when Attio reports a type this destination does not know. */
  type: AttributeType | null
  rawType: string
  isWritable: boolean
  isRequired: boolean
  isUnique: boolean
  isMultiselect: boolean
  isArchived: boolean
  hasDefault: boolean
  allowedObjectIds: string[]
}

export interface OptionDef {
  id: string
  title: string
  isArchived: boolean
}

export function toObjectDef(entry: z.infer<typeof objectEntry>): ObjectDef | null {
  if (!entry.api_slug) return null
  return {
    id: entry.id.object_id,
    slug: entry.api_slug,
    singular: entry.singular_noun ?? entry.api_slug,
    plural: entry.plural_noun ?? entry.api_slug
  }
}

export function toAttributeDef(entry: z.infer<typeof attributeEntry>): AttributeDef {
  const known = (ATTRIBUTE_TYPES as readonly string[]).includes(entry.type)
  return {
    id: entry.id.attribute_id,
    slug: entry.api_slug,
    title: entry.title,
    type: known ? (entry.type as AttributeType) : null,
    rawType: entry.type,
    isWritable: entry.is_writable,
    isRequired: entry.is_required,
    isUnique: entry.is_unique,
    isMultiselect: entry.is_multiselect,
    isArchived: entry.is_archived,
    hasDefault: entry.is_default_value_enabled,
    allowedObjectIds: entry.config?.record_reference?.allowed_object_ids ?? []
  }
}

export function toOptionDef(entry: z.infer<typeof optionEntry>): OptionDef {
  const id = entry.id?.option_id ?? entry.id?.status_id ?? entry.title
  return { id, title: entry.title, isArchived: entry.is_archived }
}
