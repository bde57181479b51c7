/**
 * Attio's lists as the Sync List Entry action uses them. The modules: `wire` (the list and entry endpoints
 * and their shapes), `cache` (a list's definition and attributes per credential, `resolveList`),
 * `entry-values` (an entry's values in write form), `sync` (one event: the parent asserted, then the entry
 * added or removed), `batch` (many events), `pickers` (the mapping screen's choices).
 */
export { clearListCache, resolveList } from './cache'
export { syncListEntries } from './batch'
export { listAttributeChoices, listChoices, parentAttributeChoices, parentMatchingChoices } from './pickers'
export { syncListEntry, type ListEntryOutcome, type ListEntrySync } from './sync'
export { DEFAULT_PARENT_MATCHING, getList, listListAttributes, listLists, type ListDef } from './wire'
