/**
 * Import rules for src/, checked by `npm run check:deps` (dependency-cruiser) in .ci/run.
 * Type-only imports count (tsPreCompilationDeps), so a cycle through types fails as a run-time one does.
 * The layers and why they are separate: docs/architecture.md.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'A module must not reach itself through its imports, at run time or through types.',
      from: { path: '^src/' },
      to: { circular: true }
    },
    {
      name: 'emulator-independent',
      severity: 'error',
      comment: "The emulator is an independent implementation of Attio's documented behaviour.",
      from: { path: '^src/emulator/' },
      to: { path: '^src/(api|destinations|local)/' }
    },
    {
      name: 'destination-without-emulator',
      severity: 'error',
      comment: 'The destination never imports the emulator (tests and the local host start it instead).',
      from: { path: '^src/(api|destinations)/|^src/index\\.ts$' },
      to: { path: '^src/emulator/' }
    },
    {
      name: 'local-host-embeds-emulator-by-its-entry',
      severity: 'error',
      comment:
        'The local host (npm start, the CLI) embeds the emulator as a package user would: only through src/emulator/index.ts, never its internals.',
      from: { path: '^src/local/' },
      to: { path: '^src/emulator/', pathNot: '^src/emulator/index\\.ts$' }
    },
    {
      name: 'api-below-actions',
      severity: 'error',
      comment: 'src/api is the layer under the actions and the local host: it imports neither.',
      from: { path: '^src/api/' },
      to: { path: '^src/(destinations|local)/' }
    },
    {
      name: 'api-leaf-depends-on-nothing-higher',
      severity: 'error',
      comment:
        'src/api/core holds the shared wire types, text forms, errors and config: it imports no other src module.',
      from: { path: '^src/api/core/' },
      to: { path: '^src/', pathNot: '^src/api/core/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)generated-types\\.ts$|\\.d\\.ts$' }
  }
}
