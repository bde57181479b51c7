// @ts-check
/**
 * DOM helpers. Everything that comes from an event or from Attio is put into the page as text
 * (textContent, text nodes), never as HTML: there is no helper that takes HTML.
 */

/** @typedef {import('./types').Child} Child */

/**
 * An element with attributes and children. `text` sets the text, `class` the class name, `dataset` data
 * attributes, `on<event>` a listener, `value`/`checked` the properties; other keys are attributes (true:
 * present, false/null/undefined: absent).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'class') node.className = String(value)
    else if (key === 'text') node.textContent = String(value)
    else if (key === 'dataset') Object.assign(node.dataset, value)
    else if (key.startsWith('on') && typeof value === 'function')
      node.addEventListener(key.slice(2), /** @type {EventListener} */ (value))
    else if (key === 'value') /** @type {HTMLInputElement} */ (node).value = String(value)
    else if (key === 'checked') /** @type {HTMLInputElement} */ (node).checked = Boolean(value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  append(node, children)
  return node
}

/**
 * @param {Node} node
 * @param {Child} child
 */
export function append(node, child) {
  if (child === undefined || child === null || child === false) return
  if (Array.isArray(child)) child.forEach((item) => append(node, item))
  else if (typeof child === 'string' || typeof child === 'number')
    node.appendChild(document.createTextNode(String(child)))
  else node.appendChild(child)
}

/**
 * @template {Node} T
 * @param {T} node
 * @returns {T}
 */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild)
  return node
}

/**
 * The element of a selector, which the page must have.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {T}
 */
export function $(selector, root = document) {
  const found = root.querySelector(selector)
  if (!found) throw new Error(`The page has no ${selector}`)
  return /** @type {T} */ (found)
}

/**
 * The element of a selector, or null.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {T | null}
 */
export function maybe(selector, root = document) {
  return /** @type {T | null} */ (root.querySelector(selector))
}

/**
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {T[]}
 */
export function $$(selector, root = document) {
  return /** @type {T[]} */ ([...root.querySelectorAll(selector)])
}

/** A unique id for elements that label or describe others. */
let nextId = 0
/** @param {string} prefix */
export function uniqueId(prefix) {
  nextId += 1
  return `${prefix}-${nextId}`
}

/**
 * Calls `fn` once `ms` after the last call.
 * @param {() => void} fn
 * @param {number} ms
 */
export function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer
  return () => {
    clearTimeout(timer)
    timer = setTimeout(fn, ms)
  }
}
