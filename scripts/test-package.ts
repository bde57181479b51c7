/**
 * `npm run test:package`: the package as a CDP host gets it. Packs the project, checks what the tarball
 * carries, then installs it into fresh host projects with no overrides (npm resolves whatever ajv and
 * fast-uri the registry has today) and runs scripts/package-host/checks.js there, through the installed
 * copy only: testAuthentication, onEvent with the presets' subscriptions, onBatch, the emulator's Attio
 * state afterwards, the commands, the page's files, an ESM import; and type-checks a CommonJS and an ES
 * module TypeScript host against the installed types.
 *
 * Hosts:
 *   tarball   a fresh project, `npm install <the .tgz>`
 *   git       a fresh project, `npm install git+file://<project>#<HEAD>` (npm builds it with `prepare`)
 *   own-tree  a project that already has the latest ajv and fast-uri and pins @segment/actions-core
 *             3.158.0 before installing the tarball: loading must be refused at once with the cause
 *             and the fix, and the host that applies each fix it is given must then pass every check.
 *
 * Options: --project <dir> (default: this repository; another checkout to test an older version),
 * --hosts tarball,git,own-tree (default all), --keep (leave the temporary folder).
 * Prints the packed and unpacked sizes; exits 1 when any check failed.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const HOST_FILES = path.join(__dirname, 'package-host')
const HOSTS = ['tarball', 'git', 'own-tree'] as const
type HostKind = (typeof HOSTS)[number]

interface Options {
  project: string
  hosts: HostKind[]
  keep: boolean
}

function parseOptions(argv: string[]): Options {
  const options: Options = { project: ROOT, hosts: [...HOSTS], keep: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--project') options.project = path.resolve(argv[++i] ?? '.')
    else if (arg === '--keep') options.keep = true
    else if (arg === '--hosts') {
      const wanted = (argv[++i] ?? '').split(',')
      const unknown = wanted.filter((host) => !(HOSTS as readonly string[]).includes(host))
      if (unknown.length > 0)
        throw new Error(`--hosts: unknown ${unknown.join(', ')} (known: ${HOSTS.join(', ')})`)
      options.hosts = wanted as HostKind[]
    } else throw new Error(`unknown option ${arg}`)
  }
  return options
}

/** The environment for npm in a host: without the variables `npm run` sets for this project. */
function hostEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'npm_config_local_prefix' || key === 'INIT_CWD')
      delete env[key]
  }
  return env
}

interface Run {
  status: number
  out: string
}

function run(command: string, args: string[], cwd: string, quiet = false): Run {
  const result = spawnSync(command, args, {
    cwd,
    env: hostEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  const out = `${result.stdout ?? ''}${result.stderr ?? ''}`
  if (!quiet && out.trim()) console.log(out.trimEnd().replace(/^/gm, '    '))
  return { status: result.status ?? 1, out }
}

function npm(args: string[], cwd: string): Run {
  console.log(`  $ npm ${args.join(' ')}`)
  const result = run('npm', [...args, '--no-audit', '--no-fund'], cwd, true)
  const tail = result.out.trim().split('\n').slice(-12).join('\n')
  if (tail) console.log(tail.replace(/^/gm, '    '))
  return result
}

const failures: string[] = []
function verdict(ok: boolean, name: string, detail = ''): boolean {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`)
  if (!ok) failures.push(name)
  return ok
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`

interface Packed {
  tarball: string
  size: number
  unpackedSize: number
  files: string[]
}

/** `npm pack` (which runs `prepare`, so the build) and the facts npm reports about the tarball. */
function pack(project: string, into: string): Packed | undefined {
  console.log(`\n== pack ${project}`)
  const result = run('npm', ['pack', '--json', '--pack-destination', into], project, true)
  const json = result.out.slice(result.out.indexOf('[\n'))
  let report: Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>
  try {
    report = JSON.parse(json.slice(0, json.lastIndexOf(']') + 1))
  } catch {
    verdict(false, 'npm pack', result.out.slice(-800))
    return undefined
  }
  const [entry] = report
  const packed = {
    tarball: path.join(into, entry.filename),
    size: entry.size,
    unpackedSize: entry.unpackedSize,
    files: entry.files.map((file) => file.path)
  }
  console.log(
    `  ${entry.filename}: packed ${kB(packed.size)}, unpacked ${kB(packed.unpackedSize)}, ${packed.files.length} files`
  )
  return packed
}

/** The tarball carries what a host runs and nothing else. */
function checkContents(packed: Packed): void {
  const allowed = (file: string) =>
    ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(file) ||
    (file.startsWith('dist/') && !file.endsWith('.map'))
  const extra = packed.files.filter((file) => !allowed(file))
  verdict(
    extra.length === 0,
    'the tarball carries dist/ and the package documents only',
    extra.slice(0, 8).join(', ')
  )
  const needed = [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/local/cli.js',
    'dist/emulator/cli.js',
    'dist/emulator/index.d.ts',
    'dist/emulator/default-seed.json',
    'dist/local/page/index.html',
    'dist/local/page/main.js',
    'dist/local/page/base.css',
    'LICENSE',
    'CHANGELOG.md'
  ]
  const missing = needed.filter((file) => !packed.files.includes(file))
  verdict(
    missing.length === 0,
    'the tarball has what hosts, the commands and the emulator read at run time',
    missing.join(', ')
  )
}

function newHost(work: string, name: string, extra: Record<string, unknown> = {}): string {
  const dir = path.join(work, name)
  rmSync(dir, { recursive: true, force: true })
  cpSync(HOST_FILES, dir, { recursive: true })
  const manifest = { name: `host-${name}`, version: '1.0.0', private: true, ...extra }
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  return dir
}

function installed(host: string, name: string): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(host, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string
      }
    ).version
  } catch {
    return 'absent'
  }
}

/** The fast-uri the host's actions-core's ajv loads, as `require` finds it. */
function fastUriOfAjv(host: string): string {
  const script =
    "const p=require('path');const core=p.dirname(require.resolve('@segment/actions-core'));" +
    "const ajv=p.dirname(require.resolve('ajv/package.json',{paths:[core]}));" +
    "const f=require.resolve('fast-uri/package.json',{paths:[ajv]});console.log(require(f).version+' '+p.relative(process.cwd(),f))"
  return run(process.execPath, ['-e', script], host, true).out.trim()
}

/** Runs the host checks; a refusal to load is returned when `refusalExpected`, a failure otherwise. */
function hostChecks(
  host: string,
  label: string,
  refusalExpected = false
): { refused?: { code?: string; message: string } } {
  console.log(
    `  $ node checks.js   (ajv ${installed(host, 'ajv')}; ajv loads fast-uri ${fastUriOfAjv(host)})`
  )
  const result = run(process.execPath, ['checks.js'], host, true)
  const lines = result.out.trimEnd().split('\n')
  for (const line of lines) console.log(/^(ok|FAIL) /.test(line) ? `  [${label}] ${line}` : `    ${line}`)
  const refusedLine = /^LOAD-REFUSED (.*)$/m.exec(result.out)
  if (result.status === 3 && refusedLine && refusalExpected) return { refused: JSON.parse(refusedLine[1]) }
  verdict(
    result.status === 0,
    `${label}: every check through the installed copy`,
    result.status === 0 ? '' : `exit ${result.status}`
  )
  return {}
}

function typeCheck(host: string, label: string): void {
  writeFileSync(
    path.join(host, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node']
        },
        files: ['consumer.cts', 'consumer.mts']
      },
      null,
      2
    )}\n`
  )
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] })
  console.log('  $ tsc -p tsconfig.json   (consumer.cts, consumer.mts)')
  const result = run(process.execPath, [tsc, '-p', 'tsconfig.json'], host, true)
  verdict(
    result.status === 0,
    `${label}: TypeScript hosts (CommonJS and ES module) type-check`,
    result.out.trim().slice(0, 1200)
  )

  // A classic CommonJS host (`module: commonjs`, node10 resolution) type-checks the README's own example
  // as it is written there, and the emulator's subpath.
  writeFileSync(path.join(host, 'readme-example.js'), `${readmeExample()}\nmodule.exports = { main }\n`)
  writeFileSync(
    path.join(host, 'tsconfig.node10.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          module: 'commonjs',
          target: 'ES2022',
          strict: true,
          esModuleInterop: true,
          allowJs: true,
          checkJs: true,
          noEmit: true,
          types: ['node']
        },
        files: ['readme-example.js', 'consumer-node10.ts']
      },
      null,
      2
    )}\n`
  )
  console.log('  $ tsc -p tsconfig.node10.json   (the README example, consumer-node10.ts)')
  const classic = run(process.execPath, [tsc, '-p', 'tsconfig.node10.json'], host, true)
  verdict(
    classic.status === 0,
    `${label}: the README's host example and a node10-resolution host type-check (strict)`,
    classic.out.trim().slice(0, 1200)
  )
}

/** The first JavaScript block of the README's "Install in a host" section, as a host would paste it. */
function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Install in a host'))
  const block = /```js\n([\s\S]*?)```/.exec(section)
  if (!block) throw new Error('README.md: no ```js block in "Install in a host"')
  return block[1]
}

function latest(name: string, cwd: string): string {
  return run('npm', ['view', name, 'version'], cwd, true).out.trim()
}

function tarballHost(work: string, packed: Packed, latestAjv: string): void {
  console.log('\n== host: a fresh project installs the tarball (no overrides)')
  const host = newHost(work, 'tarball')
  if (!verdict(npm(['install', packed.tarball], host).status === 0, 'tarball: npm install')) return
  verdict(
    installed(host, 'ajv') === latestAjv,
    `tarball: the host has the latest ajv (${latestAjv})`,
    installed(host, 'ajv')
  )
  hostChecks(host, 'tarball')
  typeCheck(host, 'tarball')
}

function gitHost(work: string, project: string): void {
  console.log('\n== host: a fresh project installs from git (no overrides)')
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: project, encoding: 'utf8' }).trim()
  const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: project, encoding: 'utf8' }).trim()
  if (dirty)
    console.log(
      `  note: ${project} has uncommitted changes; the git install tests commit ${head.slice(0, 12)}`
    )
  const host = newHost(work, 'git')
  if (
    !verdict(
      npm(['install', `git+file://${project}#${head}`], host).status === 0,
      'git: npm install git+file://…'
    )
  )
    return
  hostChecks(host, 'git')
  typeCheck(host, 'git')
}

/**
 * A host whose tree the package cannot fix: it has its own ajv, fast-uri and an older actions-core.
 * Loading must be refused with a fix; the host applies each fix it is told until the checks pass.
 */
function ownTreeHost(work: string, packed: Packed): void {
  console.log(
    '\n== host: a project with its own ajv, fast-uri and @segment/actions-core 3.158.0 installs the tarball'
  )
  const host = newHost(work, 'own-tree')
  npm(['install', '--save-exact', 'ajv@latest', 'fast-uri@latest', '@segment/actions-core@3.158.0'], host)
  if (!verdict(npm(['install', packed.tarball], host).status === 0, 'own-tree: npm install')) return
  const seen: string[] = []
  for (let round = 0; round < 3; round++) {
    const { refused } = hostChecks(host, 'own-tree', true)
    if (!refused) break
    const override = /"overrides": \{.*\} \}/.exec(refused.message)?.[0]
    const install = /npm install (@segment\/actions-core@\S+)/.exec(refused.message)?.[1]
    verdict(
      refused.code === 'ATTIO_DESTINATION_INCOMPATIBLE_INSTALL' && Boolean(override ?? install),
      'own-tree: loading is refused at once, naming the cause and the fix',
      refused.message.split('\n')[0].slice(0, 200)
    )
    const fix = override ?? install ?? ''
    if (seen.includes(fix) || !fix) {
      verdict(false, 'own-tree: the fix it names makes the host work', `still refused after ${fix}`)
      return
    }
    seen.push(fix)
    if (override) {
      console.log(`  applying the line it names: ${override}`)
      const manifest = JSON.parse(readFileSync(path.join(host, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >
      writeFileSync(
        path.join(host, 'package.json'),
        `${JSON.stringify({ ...manifest, ...JSON.parse(`{${override}}`) }, null, 2)}\n`
      )
      npm(['install'], host)
    } else if (install) {
      console.log(`  running the command it names: npm install ${install}`)
      npm(['install', '--save-exact', install], host)
    }
  }
  verdict(seen.length > 0, 'own-tree: the host was refused before it fixed its tree', seen.join(' then '))
}

function main(): void {
  const options = parseOptions(process.argv.slice(2))
  const work = mkdtempSync(path.join(tmpdir(), 'attio-package-'))
  console.log(`test:package: project ${options.project}, hosts in ${work}`)
  try {
    const packed = pack(options.project, work)
    if (packed) {
      checkContents(packed)
      const latestAjv = latest('ajv', work)
      console.log(`  the registry's latest: ajv ${latestAjv}, fast-uri ${latest('fast-uri', work)}`)
      if (options.hosts.includes('tarball')) tarballHost(work, packed, latestAjv)
      if (options.hosts.includes('git')) gitHost(work, options.project)
      if (options.hosts.includes('own-tree')) ownTreeHost(work, packed)
      console.log(
        `\npackage: packed ${kB(packed.size)}, unpacked ${kB(packed.unpackedSize)}, ${packed.files.length} files`
      )
    }
  } finally {
    if (options.keep) console.log(`kept ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
  console.log(
    failures.length === 0 ? 'test:package: all checks passed' : `test:package: FAILED: ${failures.join('; ')}`
  )
  process.exitCode = failures.length === 0 ? 0 : 1
}

main()
