/**
 * `npm run build` (also `prepare`, so that installs from git build too): a clean dist/ compiled by tsc,
 * plus the files the compiled code reads at run time and tsc does not copy: the local page's assets
 * (src/local/page -> dist/local/page, by scripts/copy-page.mjs). default-seed.json is imported, so tsc copies it.
 */
const { execFileSync } = require('node:child_process')
const { rmSync } = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
rmSync(path.join(root, 'dist'), { recursive: true, force: true })
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')],
  {
    cwd: root,
    stdio: 'inherit'
  }
)
// The page's served files (HTML, stylesheets, ES modules; not its .d.ts or tsconfig).
execFileSync(process.execPath, [path.join(root, 'scripts/copy-page.mjs')], { cwd: root, stdio: 'inherit' })
