import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly'
      }
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  // The local page: ES modules in the browser, type-checked by tsc (src/local/page/tsconfig.json), which
  // also reports undefined names, with the DOM's globals known.
  {
    files: ['src/local/page/**/*.js'],
    languageOptions: { sourceType: 'module' },
    rules: { 'no-undef': 'off' }
  },
  // The emulator is an independent implementation of Attio: it must not share code with the
  // destination, or both could be wrong together and the tests blind to it.
  {
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./(?!emulator/)', message: 'The emulator imports nothing outside src/emulator.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src/api/**/*.ts', 'src/destinations/**/*.ts', 'src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '(^|/)emulator(/|$)', message: 'The destination never imports the emulator.' }]
        }
      ]
    }
  },
  // Issue 14: a file a reader can hold in mind. No hand-written source file over 400 lines, no function over
  // 80 (blank and comment lines not counted) without an eslint-disable comment on it saying why.
  {
    files: ['src/**/*.ts', 'src/**/*.js'],
    ignores: ['**/generated-types.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }]
    }
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  }
)
