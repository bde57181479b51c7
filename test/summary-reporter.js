// A Jest reporter that writes the run's counts to .ci/test-summary.json, read by .ci/run for its
// closing line. Plain JavaScript: Jest loads reporters without transforming them.
const { writeFileSync, mkdirSync } = require('node:fs')
const path = require('node:path')

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, '.ci')
    mkdirSync(dir, { recursive: true })
    const failedSuites =
      results.numFailedTestSuites - results.testResults.filter((r) => r.numFailingTests > 0).length
    writeFileSync(
      path.join(dir, 'test-summary.json'),
      JSON.stringify({
        passed: results.numPassedTests,
        // A suite that fails to run has no failing tests of its own: count it as a failure too.
        failed: results.numFailedTests + Math.max(failedSuites, 0),
        skipped: results.numPendingTests
      })
    )
  }
}

module.exports = SummaryReporter
