/**
 * Attribute definitions of Attio's standard objects, after the "Writable attributes" tables of Attio's docs
 * (standard objects pages) plus the system attributes every object has and a few enriched, read-only ones.
 */
import type { AttributeType } from './types'

export type StandardObjectSlug = 'people' | 'companies' | 'deals' | 'users' | 'workspaces'

export interface StandardAttribute {
  slug: string
  title: string
  type: AttributeType
  multiselect?: boolean
  unique?: boolean
  required?: boolean
  /** Default true. Enriched and system attributes are not writable. */
  writable?: boolean
  options?: string[]
  statuses?: string[]
  allowed?: StandardObjectSlug[]
  currency?: string
}

export interface StandardObject {
  slug: StandardObjectSlug
  singular: string
  plural: string
  /** The attribute whose values a plain string in a record reference is read as (none for deals). */
  key?: string
  /** Whether the object is always activated (people, companies) or can be deactivated. */
  optional: boolean
  attributes: StandardAttribute[]
}

/** The system attributes every object has, custom objects included. */
export const SYSTEM_ATTRIBUTES: readonly StandardAttribute[] = [
  { slug: 'record_id', title: 'Record ID', type: 'text', unique: true, writable: false },
  { slug: 'created_at', title: 'Created at', type: 'timestamp', writable: false },
  { slug: 'created_by', title: 'Created by', type: 'actor-reference', writable: false }
]

const SOCIAL: StandardAttribute[] = ['angellist', 'facebook', 'instagram', 'linkedin', 'twitter'].map(
  (slug) => ({
    slug,
    title:
      slug === 'angellist'
        ? 'AngelList'
        : slug === 'linkedin'
          ? 'LinkedIn'
          : slug[0].toUpperCase() + slug.slice(1),
    type: 'text' as const
  })
)

const INTERACTIONS: StandardAttribute[] = [
  'first_email_interaction',
  'last_email_interaction',
  'first_calendar_interaction',
  'last_calendar_interaction',
  'next_calendar_interaction'
].map((slug) => ({
  slug,
  title: slug
    .split('_')
    .map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w))
    .join(' '),
  type: 'interaction' as const,
  writable: false
}))

const LOCATION: StandardAttribute = { slug: 'primary_location', title: 'Primary location', type: 'location' }

/** A record-reference attribute to the records of one other object (several of them unless `multiselect` is false). */
function associated(
  slug: string,
  title: string,
  allowed: StandardObjectSlug,
  multiselect = true
): StandardAttribute {
  return {
    slug,
    title,
    type: 'record-reference',
    ...(multiselect ? { multiselect: true } : {}),
    allowed: [allowed]
  }
}

const ASSOCIATED_DEALS = associated('associated_deals', 'Associated deals', 'deals')

export const STANDARD_OBJECTS: StandardObject[] = [
  {
    slug: 'people',
    singular: 'Person',
    plural: 'People',
    key: 'email_addresses',
    optional: false,
    attributes: [
      ...SYSTEM_ATTRIBUTES,
      {
        slug: 'email_addresses',
        title: 'Email addresses',
        type: 'email-address',
        unique: true,
        multiselect: true
      },
      { slug: 'name', title: 'Name', type: 'personal-name' },
      { slug: 'company', title: 'Company', type: 'record-reference', allowed: ['companies'] },
      { slug: 'description', title: 'Description', type: 'text' },
      { slug: 'job_title', title: 'Job title', type: 'text' },
      { slug: 'phone_numbers', title: 'Phone numbers', type: 'phone-number', multiselect: true },
      LOCATION,
      ...SOCIAL,
      ASSOCIATED_DEALS,
      associated('associated_users', 'Associated users', 'users'),
      { slug: 'avatar_url', title: 'Avatar URL', type: 'text', writable: false },
      { slug: 'twitter_follower_count', title: 'Twitter follower count', type: 'number', writable: false },
      ...INTERACTIONS
    ]
  },
  {
    slug: 'companies',
    singular: 'Company',
    plural: 'Companies',
    key: 'domains',
    optional: false,
    attributes: [
      ...SYSTEM_ATTRIBUTES,
      { slug: 'domains', title: 'Domains', type: 'domain', unique: true, multiselect: true },
      { slug: 'name', title: 'Name', type: 'text' },
      { slug: 'description', title: 'Description', type: 'text' },
      { slug: 'team', title: 'Team', type: 'record-reference', multiselect: true, allowed: ['people'] },
      {
        slug: 'categories',
        title: 'Categories',
        type: 'select',
        multiselect: true,
        options: ['B2B', 'B2C', 'SaaS', 'E-commerce', 'Technology', 'Software', '3D Printing', 'Architecture']
      },
      LOCATION,
      ...SOCIAL,
      ASSOCIATED_DEALS,
      associated('associated_workspaces', 'Associated workspaces', 'workspaces'),
      { slug: 'logo_url', title: 'Logo URL', type: 'text', writable: false },
      { slug: 'foundation_date', title: 'Foundation date', type: 'date', writable: false },
      { slug: 'twitter_follower_count', title: 'Twitter follower count', type: 'number', writable: false },
      {
        slug: 'funding_raised_usd',
        title: 'Funding raised',
        type: 'currency',
        currency: 'USD',
        writable: false
      },
      {
        slug: 'estimated_arr_usd',
        title: 'Estimated ARR',
        type: 'select',
        writable: false,
        options: [
          '$0-$1M',
          '$1M-$10M',
          '$10M-$50M',
          '$50M-$100M',
          '$100M-$250M',
          '$250M-$500M',
          '$500M-$1B',
          '$1B+'
        ]
      },
      {
        slug: 'employee_range',
        title: 'Employee range',
        type: 'select',
        writable: false,
        options: ['1-10', '11-50', '51-250', '251-1K', '1K-5K', '5K-10K', '10K-50K', '50K-100K', '100K+']
      },
      ...INTERACTIONS
    ]
  },
  {
    slug: 'deals',
    singular: 'Deal',
    plural: 'Deals',
    optional: true,
    attributes: [
      ...SYSTEM_ATTRIBUTES,
      { slug: 'name', title: 'Deal name', type: 'text', required: true },
      {
        slug: 'stage',
        title: 'Deal stage',
        type: 'status',
        required: true,
        statuses: ['Lead', 'In Progress', 'Won 🎉', 'Lost']
      },
      { slug: 'owner', title: 'Deal owner', type: 'actor-reference', required: true },
      { slug: 'value', title: 'Deal value', type: 'currency', currency: 'USD' },
      associated('associated_people', 'Associated people', 'people'),
      associated('associated_company', 'Associated company', 'companies', false)
    ]
  },
  {
    slug: 'users',
    singular: 'User',
    plural: 'Users',
    key: 'user_id',
    optional: true,
    attributes: [
      ...SYSTEM_ATTRIBUTES,
      { slug: 'person', title: 'Person', type: 'record-reference', allowed: ['people'] },
      {
        slug: 'primary_email_address',
        title: 'Primary email address',
        type: 'email-address',
        unique: true,
        required: true
      },
      { slug: 'user_id', title: 'ID', type: 'text', unique: true, required: true },
      {
        slug: 'workspace',
        title: 'Workspaces',
        type: 'record-reference',
        multiselect: true,
        allowed: ['workspaces']
      }
    ]
  },
  {
    slug: 'workspaces',
    singular: 'Workspace',
    plural: 'Workspaces',
    key: 'workspace_id',
    optional: true,
    attributes: [
      ...SYSTEM_ATTRIBUTES,
      { slug: 'workspace_id', title: 'ID', type: 'text', unique: true, required: true },
      { slug: 'name', title: 'Name', type: 'text' },
      { slug: 'users', title: 'Users', type: 'record-reference', multiselect: true, allowed: ['users'] },
      { slug: 'company', title: 'Company', type: 'record-reference', allowed: ['companies'] },
      { slug: 'avatar_url', title: 'Avatar URL', type: 'text' }
    ]
  }
]

/** Relationship attribute pairs: writing either side updates the other. */
export const RELATIONSHIPS: Array<[StandardObjectSlug, string, StandardObjectSlug, string]> = [
  ['people', 'company', 'companies', 'team'],
  ['people', 'associated_deals', 'deals', 'associated_people'],
  ['companies', 'associated_deals', 'deals', 'associated_company'],
  ['users', 'person', 'people', 'associated_users'],
  ['users', 'workspace', 'workspaces', 'users'],
  ['workspaces', 'company', 'companies', 'associated_workspaces']
]
