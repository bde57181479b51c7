/**
 * Copies the local page (src/local/page: its HTML, stylesheet and ES modules) into dist/local/page, where
 * the local server serves it from in the build and in the package. Its type declarations and tsconfig
 * are for tsc only and stay behind. `node scripts/copy-page.mjs [target]` copies elsewhere (tests).
 */
import { cpSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const from = path.join(root, 'src/local/page')
const to = path.resolve(process.argv[2] ?? path.join(root, 'dist/local/page'))
const served = (name) => /\.(html|css|js)$/.test(name) && !name.endsWith('.d.ts')

rmSync(to, { recursive: true, force: true })
const files = readdirSync(from).filter(served)
for (const name of files) cpSync(path.join(from, name), path.join(to, name))
process.stdout.write(`The local page: ${files.length} files copied to ${path.relative(root, to) || to}\n`)
