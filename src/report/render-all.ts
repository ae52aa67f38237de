import { renderHtml } from './html/page.js';
import { renderJunit } from './junit.js';
import type { Result } from '../result/result.js';
import { renderSummary } from './summary-md.js';

/** Every report rendered from a result, by file name: what `run` and `report` write beside result.json. */
export function renderReports(result: Result): Record<string, string> {
  return {
    'summary.md': renderSummary(result),
    'junit.xml': renderJunit(result),
    'report.html': renderHtml(result),
  };
}
