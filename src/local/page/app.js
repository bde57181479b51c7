/* global document, window, fetch, setTimeout, clearTimeout, URL */
/**
 * The Edit Mapping / Send test event page. Plain browser JavaScript, no dependencies. Everything that comes
 * from an event or from Attio is put into the page as text (textContent, text nodes), never as HTML.
 */
;(function () {
  'use strict'

  const HIDDEN_FIELDS = new Set(['enable_batching'])
  const SAMPLE_FOR_ACTION = { identifyUser: 'identify', groupWorkspace: 'group', assertRecord: 'identify' }

  const state = {
    manifest: null,
    info: null,
    action: null,
    /** Per field: how to read its value from the form. */
    readers: {},
    /** Requests for dynamic choices, by field path, so an older answer never overwrites a newer one. */
    loads: {}
  }

  // ---------------------------------------------------------------- DOM helpers (text only)

  function el(tag, attrs) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue
      if (key === 'class') node.className = value
      else if (key === 'text') node.textContent = String(value)
      else if (key === 'dataset') Object.assign(node.dataset, value)
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
      else if (key === 'value') node.value = value
      else if (key === 'checked') node.checked = Boolean(value)
      else node.setAttribute(key, value === true ? '' : String(value))
    }
    for (const child of Array.prototype.slice.call(arguments, 2)) append(node, child)
    return node
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return
    if (Array.isArray(child)) child.forEach((item) => append(node, item))
    else if (typeof child === 'string' || typeof child === 'number')
      node.appendChild(document.createTextNode(String(child)))
    else node.appendChild(child)
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild)
    return node
  }

  const $ = (selector, root) => (root || document).querySelector(selector)
  const $$ = (selector, root) => Array.prototype.slice.call((root || document).querySelectorAll(selector))

  async function api(path, body) {
    const response = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const data = await response.json().catch(() => ({}))
    if (!response.ok) {
      const message =
        (data && data.error && data.error.message) || response.status + ' ' + response.statusText
      throw new Error(message)
    }
    return data
  }

  // ---------------------------------------------------------------- mapping values

  const isPath = (value) =>
    value !== null &&
    typeof value === 'object' &&
    typeof value['@path'] === 'string' &&
    Object.keys(value).length === 1

  /** A mapping value as the text of its input: `$.traits.email`, `$.a ?? $.b`, fixed text, or JSON. */
  function directiveText(value) {
    if (value === undefined) return ''
    if (value === null) return 'null'
    if (typeof value !== 'object') return String(value)
    if (isPath(value)) return value['@path']
    const condition = value['@if']
    if (
      condition &&
      Object.keys(value).length === 1 &&
      isPath(condition.exists) &&
      isPath(condition.then) &&
      condition.exists['@path'] === condition.then['@path'] &&
      condition.else !== undefined
    ) {
      const rest = directiveText(condition.else)
      if (rest.startsWith('$')) return condition.then['@path'] + ' ?? ' + rest
    }
    return JSON.stringify(value)
  }

  /** The text of an input as a mapping value; undefined when empty. */
  function mappingValue(text, type) {
    const trimmed = text.trim()
    if (trimmed === '') return undefined
    if (/^\$[.[]/.test(trimmed)) {
      const paths = trimmed.split(/\s*\?\?\s*/)
      if (paths.length > 1 && paths.every((path) => /^\$[.[]/.test(path))) {
        return paths.reduceRight((otherwise, path) =>
          typeof otherwise === 'string'
            ? {
                '@if': {
                  exists: { '@path': path },
                  then: { '@path': path },
                  else: { '@path': otherwise }
                }
              }
            : { '@if': { exists: { '@path': path }, then: { '@path': path }, else: otherwise } }
        )
      }
      return { '@path': trimmed }
    }
    if (/^[{[]/.test(trimmed)) {
      try {
        return JSON.parse(trimmed)
      } catch {
        return trimmed
      }
    }
    if (trimmed === 'null') return null
    if ((type === 'number' || type === 'integer') && Number.isFinite(Number(trimmed))) return Number(trimmed)
    return text
  }

  // ---------------------------------------------------------------- sample events

  function isoNow(offsetMs) {
    return new Date(Date.now() + (offsetMs || 0)).toISOString()
  }

  function messageId() {
    return window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : 'msg-' + Date.now()
  }

  function sampleEvent(kind) {
    const common = {
      messageId: messageId(),
      timestamp: isoNow(-1500),
      receivedAt: isoNow(),
      context: { library: { name: 'analytics.js', version: '2.11.1' }, locale: 'en-GB' }
    }
    if (kind === 'group') {
      return {
        type: 'group',
        userId: 'user-1815',
        groupId: 'ws-analytical-engines',
        traits: {
          name: 'Analytical Engines',
          website: 'https://www.analytical-engines.com/pricing',
          plan: 'Enterprise'
        },
        ...common
      }
    }
    if (kind === 'track') {
      return {
        type: 'track',
        event: 'Report Exported',
        userId: 'user-1815',
        properties: { email: 'ada@analytical-engines.com', format: 'csv', rows: 1843 },
        ...common,
        context: { ...common.context, traits: { email: 'ada@analytical-engines.com' } }
      }
    }
    return {
      type: 'identify',
      userId: 'user-1815',
      traits: {
        email: 'ada@analytical-engines.com',
        name: 'Ada Lovelace',
        title: 'Analyst',
        plan: 'Pro',
        seats: 12
      },
      ...common
    }
  }

  /** The batch the toggle sends: a pasted array as it is, or the event repeated with other ids and emails. */
  function batchOf(event, count) {
    if (Array.isArray(event)) return event
    const vary = (value, n) => {
      if (typeof value === 'string') return value.replace(/^([^@\s]+)@([^@\s]+)$/, '$1+' + n + '@$2')
      if (Array.isArray(value)) return value.map((item) => vary(item, n))
      if (value && typeof value === 'object') {
        const copy = {}
        for (const [key, item] of Object.entries(value)) {
          copy[key] =
            (key === 'userId' || key === 'groupId') && typeof item === 'string'
              ? item + '-' + n
              : vary(item, n)
        }
        return copy
      }
      return value
    }
    return Array.from({ length: count }, (_, index) => {
      const copy = vary(event, index + 1)
      copy.messageId = messageId()
      return copy
    })
  }

  // ---------------------------------------------------------------- settings

  function renderSettings() {
    const container = clear($('#settings-fields'))
    const fields = state.manifest.settings || {}
    for (const [key, field] of Object.entries(fields)) {
      const isKey = field.type === 'password'
      let input
      if (field.type === 'boolean') {
        input = el('input', {
          type: 'checkbox',
          id: 'setting-' + key,
          name: key,
          checked: field.default === true,
          dataset: { kind: 'boolean' },
          onchange: onSettingsChanged
        })
      } else {
        const placeholder = isKey
          ? state.info && state.info.target === 'emulator'
            ? "Empty: the emulator's token"
            : 'Empty: the key in ATTIO_API_KEY'
          : field.default !== undefined
            ? 'Default: ' + String(field.default)
            : 'Optional'
        input = el('input', {
          type: isKey ? 'password' : field.type === 'number' ? 'number' : 'text',
          id: 'setting-' + key,
          name: key,
          autocomplete: 'off',
          placeholder,
          dataset: { kind: field.type || 'string' },
          onchange: onSettingsChanged
        })
      }
      const label = el('label', { class: 'field-label', for: 'setting-' + key }, field.label || key)
      container.appendChild(
        el(
          'div',
          { class: 'field', dataset: { setting: key } },
          field.type === 'boolean' ? el('div', { class: 'setting-toggle' }, input, label) : [label, input],
          field.description ? el('p', { class: 'description', text: field.description }) : null
        )
      )
    }
    // The OAuth token a CDP holds once connected: sent as `auth`, used when no API key is given.
    if (state.manifest.authentication && state.manifest.authentication.scheme === 'oauth2') {
      container.appendChild(
        el(
          'div',
          { class: 'field', dataset: { setting: 'oauth' } },
          el('label', { class: 'field-label', for: 'setting-oauth' }, 'OAuth access token'),
          el('input', {
            type: 'password',
            id: 'setting-oauth',
            name: 'accessToken',
            dataset: { auth: 'true' },
            autocomplete: 'off',
            placeholder: 'Optional',
            onchange: onSettingsChanged
          }),
          el('p', {
            class: 'description',
            text: 'Optional. An Attio OAuth access token, as the CDP holds it after connecting the destination. Used when the API key is empty.'
          })
        )
      )
    }
    updateSettingsSummary()
  }

  function settings() {
    const result = {}
    for (const input of $$('#settings-fields input:not([data-auth])')) {
      if (input.dataset.kind === 'boolean') result[input.name] = input.checked
      else if (input.value.trim() === '') continue
      else if (input.dataset.kind === 'number') result[input.name] = Number(input.value)
      else result[input.name] = input.value.trim()
    }
    return result
  }

  function auth() {
    const input = $('#setting-oauth')
    return input && input.value.trim() !== '' ? { accessToken: input.value.trim() } : undefined
  }

  function updateSettingsSummary() {
    const given = settings()
    $('#settings-summary').textContent = given.api_key
      ? '· your API key'
      : auth()
        ? '· your OAuth token'
        : state.info && state.info.target === 'emulator'
          ? "· emulator's token"
          : '· key from ATTIO_API_KEY'
  }

  let settingsTimer = null
  function onSettingsChanged() {
    updateSettingsSummary()
    clearTimeout(settingsTimer)
    settingsTimer = setTimeout(() => loadAllChoices(), 250)
  }

  async function testConnection() {
    const out = $('#connection-result')
    out.className = 'connection-result'
    out.textContent = 'Checking…'
    try {
      const answer = await api('/authenticate', { settings: settings(), auth: auth() })
      out.className = 'connection-result ' + (answer.ok ? 'ok' : 'bad')
      out.textContent = answer.ok ? 'Connected' : answer.error.message
    } catch (error) {
      out.className = 'connection-result bad'
      out.textContent = error.message
    }
  }

  // ---------------------------------------------------------------- the mapping form

  function actionOptions() {
    const select = clear($('#action-select'))
    const presets = state.manifest.presets || []
    if (presets.length > 0) {
      const group = el('optgroup', { label: 'Presets' })
      presets.forEach((preset, index) => {
        group.appendChild(
          el(
            'option',
            { value: 'preset:' + index },
            preset.name + ' — when ' + (preset.subscribe || 'matched')
          )
        )
      })
      select.appendChild(group)
    }
    const group = el('optgroup', { label: 'Actions' })
    for (const [slug, action] of Object.entries(state.manifest.actions)) {
      group.appendChild(el('option', { value: 'action:' + slug }, action.title))
    }
    select.appendChild(group)
  }

  function chooseAction(choice, keepEvent) {
    let slug
    let mapping
    if (choice.startsWith('preset:')) {
      const preset = state.manifest.presets[Number(choice.slice('preset:'.length))]
      slug = preset.partnerAction
      mapping = preset.mapping || {}
    } else {
      slug = choice.slice('action:'.length)
      mapping = null
    }
    state.action = slug
    const action = state.manifest.actions[slug]
    $('#action-description').textContent = action.description
    renderFields(action, mapping)
    if (!keepEvent) loadSample(SAMPLE_FOR_ACTION[slug] || 'identify')
    clearErrors()
    loadAllChoices()
    updatePreview()
  }

  function fieldInitial(field, key, mapping) {
    if (mapping && Object.prototype.hasOwnProperty.call(mapping, key)) return mapping[key]
    return field.default
  }

  function renderFields(action, mapping) {
    const form = clear($('#mapping-form'))
    state.readers = {}
    for (const [key, field] of Object.entries(action.fields)) {
      if (field.unsafe_hidden || HIDDEN_FIELDS.has(key)) continue
      const initial = fieldInitial(field, key, mapping)
      const wrapper = el('div', { class: 'field', dataset: { field: key } })
      const head = el(
        'div',
        { class: 'field-head' },
        el('label', { class: 'field-label', for: 'field-' + key }, field.label || key),
        field.required ? el('span', { class: 'badge required', text: 'Required' }) : null,
        el('span', {
          class: 'badge type',
          text: field.defaultObjectUI === 'keyvalue:only' ? 'key-value' : field.type
        })
      )
      wrapper.appendChild(head)
      if (field.description) {
        const description = el('p', {
          class: 'description clamp',
          text: field.description,
          title: 'Click to expand'
        })
        description.addEventListener('click', () => description.classList.toggle('clamp'))
        wrapper.appendChild(description)
      }
      const dynamic = action.dynamicFields || []
      if (field.type === 'object') {
        wrapper.appendChild(keyValueEditor(key, field, initial, dynamic.includes(key + '.__keys__')))
      } else if (field.type === 'boolean') {
        const input = el('input', { type: 'checkbox', id: 'field-' + key, checked: initial === true })
        input.addEventListener('change', updatePreview)
        state.readers[key] = () => input.checked
        wrapper.appendChild(el('label', { class: 'toggle' }, input, el('span', { text: 'On' })))
      } else if (field.choices || dynamic.includes(key)) {
        wrapper.appendChild(choiceInput(key, field, initial, dynamic.includes(key)))
      } else {
        const defaultText = directiveText(field.default)
        const input = el('input', {
          type: 'text',
          id: 'field-' + key,
          value: directiveText(initial),
          placeholder: defaultText ? 'Default: ' + defaultText : field.required ? 'Required' : 'Optional',
          spellcheck: 'false',
          autocomplete: 'off'
        })
        input.addEventListener('input', updatePreview)
        state.readers[key] = () => {
          if (field.default !== undefined && input.value.trim() === defaultText.trim()) return field.default
          return mappingValue(input.value, field.type)
        }
        wrapper.appendChild(input)
      }
      wrapper.appendChild(el('div', { class: 'field-error', dataset: { errorFor: key }, role: 'alert' }))
      form.appendChild(wrapper)
    }
  }

  function choiceInput(key, field, initial, dynamic) {
    const select = el('select', { id: 'field-' + key, dataset: { dynamic: dynamic ? key : '' } })
    const current = directiveText(initial)
    const options = (field.choices || []).map((choice) =>
      typeof choice === 'object' ? choice : { label: String(choice), value: String(choice) }
    )
    fillSelect(select, options, current)
    select.addEventListener('change', () => {
      updatePreview()
      if (key === 'object') {
        loadChoices('matching_attribute')
        loadChoices('attributes.__keys__')
      }
    })
    state.readers[key] = () => mappingValue(select.value, field.type)
    const note = el('div', { class: 'choice-note', dataset: { noteFor: key } })
    return el('div', { class: 'choice' }, select, note)
  }

  function fillSelect(select, options, current) {
    clear(select)
    const values = new Set()
    for (const option of options) {
      values.add(option.value)
      select.appendChild(el('option', { value: option.value, title: option.description || '' }, option.label))
    }
    if (current && !values.has(current)) select.appendChild(el('option', { value: current }, current))
    if (current) select.value = current
  }

  function keyValueEditor(key, field, initial, dynamicKeys) {
    const rows = el('div', { class: 'kv-rows' })
    const listId = 'keys-' + key
    const datalist = el('datalist', { id: listId })
    const addRow = (attribute, value) => {
      const valueInput = el('input', {
        type: 'text',
        class: 'kv-value',
        value: directiveText(value),
        placeholder: '$.traits.name or text',
        spellcheck: 'false',
        'aria-label': 'Value'
      })
      const keyInput = el('input', {
        type: 'text',
        class: 'kv-key',
        value: attribute || '',
        list: listId,
        placeholder: 'Attio attribute',
        spellcheck: 'false',
        autocomplete: 'off',
        'aria-label': 'Attio attribute'
      })
      const error = el('div', {
        class: 'field-error kv-error',
        dataset: { errorFor: key + '.' + (attribute || '') }
      })
      keyInput.addEventListener('input', () => {
        error.dataset.errorFor = key + '.' + keyInput.value.trim()
        updatePreview()
      })
      valueInput.addEventListener('input', updatePreview)
      const row = el(
        'div',
        { class: 'kv-row' },
        valueInput,
        el('span', { class: 'kv-arrow', 'aria-hidden': 'true', text: '→' }),
        keyInput,
        el('button', {
          type: 'button',
          class: 'icon-button',
          title: 'Remove',
          'aria-label': 'Remove attribute',
          text: '×',
          onclick: () => {
            row.remove()
            updatePreview()
          }
        }),
        error
      )
      rows.appendChild(row)
      return row
    }
    const entries = initial && typeof initial === 'object' && !isPath(initial) ? Object.entries(initial) : []
    entries.forEach(([attribute, value]) => addRow(attribute, value))
    state.readers[key] = () => {
      const result = {}
      for (const row of $$('.kv-row', rows)) {
        const attribute = $('.kv-key', row).value.trim()
        const value = mappingValue($('.kv-value', row).value, 'string')
        if (attribute && value !== undefined) result[attribute] = value
      }
      if (Object.keys(result).length === 0 && field.default === undefined) return undefined
      return result
    }
    const add = el('button', {
      type: 'button',
      class: 'link-button',
      text: '+ Add attribute',
      onclick: () => $('.kv-value', addRow('', '')).focus()
    })
    return el(
      'div',
      { class: 'kv', dataset: { dynamicKeys: dynamicKeys ? key + '.__keys__' : '' } },
      rows,
      datalist,
      el(
        'div',
        { class: 'kv-foot' },
        add,
        el('span', { class: 'choice-note', dataset: { noteFor: key + '.__keys__' } })
      )
    )
  }

  function currentMapping() {
    const mapping = {}
    for (const [key, read] of Object.entries(state.readers)) {
      const value = read()
      if (value !== undefined) mapping[key] = value
    }
    if ($('#batch-toggle').checked) mapping.enable_batching = true
    return mapping
  }

  function updatePreview() {
    $('#mapping-preview').textContent = JSON.stringify(currentMapping(), null, 2)
  }

  // ---------------------------------------------------------------- dynamic choices

  function currentObject() {
    const select = $('#field-object')
    return select ? select.value : undefined
  }

  async function loadChoices(path) {
    const action = state.manifest.actions[state.action]
    if (!action || !(action.dynamicFields || []).includes(path)) return
    const ticket = (state.loads[path] = (state.loads[path] || 0) + 1)
    const note = $('[data-note-for="' + path + '"]')
    if (note) {
      note.className = 'choice-note'
      note.textContent = 'Loading choices from Attio…'
    }
    let answer
    try {
      answer = await api('/' + state.action + '/' + path, {
        settings: settings(),
        auth: auth(),
        payload: { object: currentObject() }
      })
    } catch (error) {
      answer = { choices: [], error: { message: error.message } }
    }
    if (state.loads[path] !== ticket) return
    const choices = answer.choices || []
    if (note) {
      note.className = 'choice-note' + (answer.error ? ' bad' : '')
      note.textContent = answer.error
        ? 'Could not load choices: ' + answer.error.message
        : choices.length + ' choice' + (choices.length === 1 ? '' : 's') + ' from Attio'
    }
    if (path.endsWith('.__keys__')) {
      const key = path.slice(0, -'.__keys__'.length)
      const datalist = clear($('#keys-' + key))
      for (const choice of choices) {
        datalist.appendChild(el('option', { value: choice.value }, choice.label))
      }
    } else {
      const select = $('#field-' + path)
      if (select) {
        const current = select.value
        const options = choices.map((choice) => ({
          label: choice.label + (choice.label === choice.value ? '' : ' · ' + choice.value),
          value: choice.value,
          description: choice.description
        }))
        fillSelect(select, options, current)
        updatePreview()
      }
    }
  }

  function loadAllChoices() {
    const action = state.manifest.actions[state.action]
    for (const path of action.dynamicFields || []) loadChoices(path)
  }

  // ---------------------------------------------------------------- the event

  function loadSample(kind) {
    $('#event-json').value = JSON.stringify(sampleEvent(kind), null, 2)
    $$('[data-sample]').forEach((button) => button.classList.toggle('active', button.dataset.sample === kind))
    $('#event-error').textContent = ''
  }

  function readEvent() {
    const text = $('#event-json').value
    try {
      const value = JSON.parse(text)
      if (value === null || typeof value !== 'object')
        throw new Error('the event must be a JSON object or an array')
      return value
    } catch (error) {
      $('#event-error').textContent = 'The event is not valid JSON: ' + error.message
      $('#event-json').classList.add('invalid')
      return undefined
    }
  }

  // ---------------------------------------------------------------- sending and results

  function clearErrors() {
    for (const node of $$('.field-error')) node.textContent = ''
    for (const node of $$('.invalid')) node.classList.remove('invalid')
    for (const node of $$('.field.has-error')) node.classList.remove('has-error')
  }

  /** Shows an error beside the field it concerns: `email_address`, `person_attributes.twiter`. */
  function showFieldError(field, message) {
    if (!field) return false
    let slot = $$('[data-error-for]').find((node) => node.dataset.errorFor === field)
    const top = field.split('.')[0]
    if (!slot) slot = $$('[data-error-for]').find((node) => node.dataset.errorFor === top)
    if (!slot) return false
    slot.textContent = message
    const wrapper = slot.closest('.field')
    if (wrapper) wrapper.classList.add('has-error')
    const row = slot.closest('.kv-row')
    const input = row ? $('.kv-key', row) : wrapper && $('input, select', wrapper)
    if (input) input.classList.add('invalid')
    return true
  }

  async function send() {
    clearErrors()
    const event = readEvent()
    if (!event) return
    const batch = $('#batch-toggle').checked || Array.isArray(event)
    const count = Math.min(100, Math.max(2, Number($('#batch-count').value) || 5))
    const payload = batch ? batchOf(event, count) : event
    const button = $('#send')
    button.disabled = true
    button.textContent = 'Sending…'
    const body = clear($('#results-body'))
    body.className = 'loading'
    body.appendChild(el('div', { class: 'spinner', 'aria-hidden': 'true' }))
    body.appendChild(el('span', { text: 'Sending to ' + state.action + '…' }))
    try {
      const answer = await api('/' + state.action, {
        payload,
        mapping: currentMapping(),
        settings: settings(),
        auth: auth()
      })
      await renderAnswer(answer, payload)
    } catch (error) {
      clear(body)
      body.className = ''
      body.appendChild(banner(false, 'The local server failed', error.message))
    } finally {
      button.disabled = false
      button.textContent = 'Send test event'
    }
  }

  function banner(ok, title, detail, meta) {
    return el(
      'div',
      { class: 'banner ' + (ok ? 'ok' : 'bad'), role: 'status' },
      el('span', { class: 'banner-icon', 'aria-hidden': 'true', text: ok ? '✓' : '!' }),
      el(
        'div',
        { class: 'banner-text' },
        el('div', { class: 'banner-title', text: title }),
        detail ? el('div', { class: 'banner-detail', text: detail }) : null
      ),
      meta ? el('div', { class: 'banner-meta', text: meta }) : null
    )
  }

  function statusClass(status) {
    if (status >= 200 && status < 300) return 'ok'
    if (status === 429 || status >= 500) return 'warn'
    return 'bad'
  }

  function shortUrl(url) {
    try {
      const parsed = new URL(url)
      return decodeURIComponent(parsed.pathname + parsed.search)
    } catch {
      return url
    }
  }

  function jsonBlock(label, value) {
    if (value === undefined) return null
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2)
    return el(
      'div',
      { class: 'body-block' },
      el('div', { class: 'body-label', text: label }),
      el('pre', { text })
    )
  }

  function exchangeItem(exchange, index) {
    const isRead = exchange.method === 'GET' || /\/records\/query/.test(exchange.url)
    const details = el('details', { class: 'exchange', open: !isRead })
    details.appendChild(
      el(
        'summary',
        {},
        el('span', { class: 'index', text: String(index + 1) }),
        el('span', { class: 'method m-' + exchange.method.toLowerCase(), text: exchange.method }),
        el('span', { class: 'url', text: shortUrl(exchange.url), title: exchange.url }),
        el('span', { class: 'status s-' + statusClass(exchange.status), text: String(exchange.status) })
      )
    )
    details.appendChild(
      el(
        'div',
        { class: 'exchange-body' },
        jsonBlock('Request', exchange.request.body),
        jsonBlock('Response', exchange.response.body),
        exchange.request.body === undefined && exchange.response.body === undefined
          ? el('p', { class: 'muted', text: 'No body.' })
          : null
      )
    )
    return details
  }

  function exchangesSection(exchanges, ok) {
    const writes = exchanges.filter(
      (exchange) => exchange.method !== 'GET' && !/\/records\/query/.test(exchange.url)
    )
    return el(
      'div',
      { class: 'section' },
      el(
        'h3',
        {},
        'Requests to Attio ',
        el('span', {
          class: 'count',
          text: exchanges.length + ' · ' + writes.length + ' write' + (writes.length === 1 ? '' : 's')
        })
      ),
      exchanges.length === 0
        ? el('p', {
            class: 'muted',
            text: ok
              ? 'No request was needed: Attio already holds these values from an earlier send ("Skip unchanged writes" in the settings).'
              : 'No request was sent: the event was stopped before reaching Attio.'
          })
        : el('div', { class: 'exchanges' }, exchanges.map(exchangeItem))
    )
  }

  /** A value; a record reference ("people 0b0e…-…") is shortened to its object and the id's first part. */
  function valueSpan(text) {
    const reference = /^(\S+) ([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(text)
    if (reference) {
      return el(
        'span',
        { class: 'value reference', title: text },
        '→ ' + reference[1] + ' ' + reference[2] + '…'
      )
    }
    return el('span', { class: 'value', text })
  }

  function recordCard(object, outcome, record) {
    const values = record ? Object.entries(record.values) : []
    return el(
      'div',
      { class: 'record-card', dataset: { object } },
      el(
        'div',
        { class: 'record-head' },
        el('span', { class: 'record-label', text: (outcome && outcome.label) || object }),
        outcome && outcome.result
          ? el('span', {
              class: 'badge result r-' + outcome.result.replace(/[^a-z]/g, ''),
              text: outcome.result
            })
          : null,
        el('span', {
          class: 'record-id',
          text: record ? record.record_id : (outcome && outcome.record_id) || ''
        })
      ),
      values.length === 0
        ? el('p', { class: 'muted', text: 'Not in the emulator.' })
        : el(
            'dl',
            { class: 'record-values' },
            values.map(([attribute, texts]) => [
              el('dt', { text: attribute }),
              el('dd', {}, texts.map(valueSpan))
            ])
          )
    )
  }

  async function recordsSection(answer) {
    if (!state.info || state.info.target !== 'emulator') return null
    const written = (answer.result && answer.result.records) || []
    let records
    let counts
    try {
      if (answer.batch) await new Promise((resolve) => setTimeout(resolve, 400))
      const ids = answer.batch ? [] : written.map((record) => record.record_id)
      const state = await api('/_local/records?ids=' + encodeURIComponent(ids.join(',')))
      records = state.records
      counts = state.counts
    } catch (error) {
      return el(
        'div',
        { class: 'section' },
        el('h3', { text: 'Records in the emulator' }),
        el('p', { class: 'muted', text: error.message })
      )
    }
    const section = el('div', { class: 'section' }, el('h3', { text: 'Records in the emulator' }))
    if (!answer.batch && written.length > 0) {
      const grid = el('div', { class: 'records' })
      for (const outcome of written) {
        const found = (records[outcome.object] || []).find((record) => record.record_id === outcome.record_id)
        grid.appendChild(recordCard(outcome.object, outcome, found))
      }
      section.appendChild(grid)
    }
    const chips = Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(([object, count]) => el('span', { class: 'count-chip', text: object + ' ' + count }))
    section.appendChild(
      el(
        'div',
        { class: 'totals' },
        el('span', { class: 'muted', text: 'Workspace now holds:' }),
        chips.length > 0 ? chips : el('span', { class: 'muted', text: 'no records' })
      )
    )
    return section
  }

  function batchSection(answer, payload) {
    const rows = (answer.multistatus || []).map((entry, index) => {
      const ok = entry.status >= 200 && entry.status < 300
      const event = payload[index] || {}
      return el(
        'tr',
        {},
        el('td', { text: String(index + 1) }),
        el('td', { class: 'mono', text: String(event.userId || event.groupId || event.type || '') }),
        el(
          'td',
          {},
          el('span', { class: 'status s-' + statusClass(entry.status), text: String(entry.status) })
        ),
        el('td', {
          class: ok ? 'muted' : 'error-text',
          text: ok
            ? entry.status === 202
              ? 'Accepted: Attio applies it asynchronously'
              : 'Delivered'
            : entry.errormessage || entry.errortype || 'Failed'
        })
      )
    })
    return el(
      'div',
      { class: 'section' },
      el('h3', {}, 'Events ', el('span', { class: 'count', text: String(rows.length) })),
      el(
        'table',
        { class: 'outcomes' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['#', 'Event', 'Status', 'Outcome'].map((title) => el('th', { text: title }))
          )
        ),
        el('tbody', {}, rows)
      )
    )
  }

  async function renderAnswer(answer, payload) {
    const body = $('#results-body')
    const parts = []
    if (answer.batch) {
      const outcomes = answer.multistatus || []
      const failed = outcomes.filter((entry) => !(entry.status >= 200 && entry.status < 300))
      if (answer.error) {
        parts.push(
          banner(
            false,
            'The batch failed',
            answer.error.message,
            answer.error.status + ' · ' + answer.durationMs + ' ms'
          )
        )
      } else {
        parts.push(
          banner(
            failed.length === 0,
            failed.length === 0
              ? 'All ' + outcomes.length + ' events delivered'
              : failed.length + ' of ' + outcomes.length + ' events failed',
            null,
            answer.action + ' · batch · ' + answer.durationMs + ' ms'
          )
        )
      }
      const firstWithField = failed.find((entry) => entry.field)
      if (firstWithField) showFieldError(firstWithField.field, firstWithField.errormessage)
      if (!answer.error) parts.push(batchSection(answer, payload))
    } else if (answer.ok) {
      const records = (answer.result && answer.result.records) || []
      parts.push(
        banner(
          true,
          'Delivered to Attio',
          records.length > 0 ? records.map((record) => record.label + ' ' + record.result).join(' · ') : null,
          answer.action + ' · ' + answer.durationMs + ' ms'
        )
      )
    } else {
      const error = answer.error
      const shown = showFieldError(error.field, error.message)
      parts.push(
        banner(
          false,
          shown ? 'Check the field "' + error.field + '"' : 'The event was not delivered',
          error.message,
          [error.status, error.code].filter(Boolean).join(' · ')
        )
      )
    }
    const records = await recordsSection(answer)
    clear(body)
    body.className = ''
    append(body, parts)
    if (records) body.appendChild(records)
    body.appendChild(exchangesSection(answer.exchanges, answer.ok))
    // Bring the outcome into view when it is below the fold.
    const first = body.firstElementChild
    if (first && first.getBoundingClientRect().top > window.innerHeight - 60) {
      first.scrollIntoView({ behavior: 'smooth', block: 'center' })
    }
  }

  // ---------------------------------------------------------------- start

  async function start() {
    try {
      const [manifest, info] = await Promise.all([api('/manifest'), api('/_local/info')])
      state.manifest = manifest
      state.info = info
    } catch (error) {
      $('#target-text').textContent = 'The local server is not answering: ' + error.message
      $('#target').className = 'target bad'
      return
    }
    $('#destination-name').textContent = state.manifest.name
    $('#target').className = 'target ' + state.info.target
    $('#target-text').textContent =
      (state.info.target === 'emulator' ? 'Emulator · ' : 'Attio · ') + state.info.apiUrl
    renderSettings()
    actionOptions()
    const select = $('#action-select')
    select.addEventListener('change', () => chooseAction(select.value, false))
    $$('[data-sample]').forEach((button) =>
      button.addEventListener('click', () => loadSample(button.dataset.sample))
    )
    $('#event-json').addEventListener('input', () => {
      $('#event-json').classList.remove('invalid')
      $('#event-error').textContent = ''
    })
    $('#batch-toggle').addEventListener('change', updatePreview)
    $('#send').addEventListener('click', send)
    $('#settings-fields').addEventListener('submit', (event) => event.preventDefault())
    $('#test-connection').addEventListener('click', testConnection)
    chooseAction(select.value, false)
    document.body.dataset.ready = 'true'
  }

  document.addEventListener('DOMContentLoaded', start)
})()
