import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR } from './chart';

/**
 * The chart's Grafana dashboard (platform/dashboards/platform.json) is well formed and queries only
 * the metric families the services export, with their labels and label values.
 *
 * FAMILIES below is the list of what the services' /metrics carries (docs/contract.md §8.5). This test
 * checks the dashboard against the list; the services' own tests check the live /metrics side.
 * A family or label the services gain or lose changes both.
 */

interface Family {
  type: 'counter' | 'gauge' | 'histogram';
  /** Label name -> its values when they are a closed set, null when any value goes. */
  labels: Record<string, readonly string[] | null>;
}

/** Every series carries `service`; in Kubernetes the ServiceMonitor adds namespace, job and pod. */
const COMMON_LABELS = ['service', 'namespace', 'job', 'pod'];
const UPSTREAM_OUTCOMES = [
  'success',
  'client_error',
  'server_error',
  'timeout',
  'connection_error',
  'invalid_response',
] as const;

const FAMILIES: Record<string, Family> = {
  // The API requests a service answers.
  http_request_duration_seconds: {
    type: 'histogram',
    labels: { method: null, route: null, status_code: null },
  },
  // Every command the MongoDB driver sends; collection is "" for database commands.
  db_client_operation_duration_seconds: {
    type: 'histogram',
    labels: { operation: null, collection: null },
  },
  db_client_operation_errors_total: {
    type: 'counter',
    labels: { operation: null, collection: null, error_type: ['timeout', 'unavailable', 'server'] },
  },
  // Outbound HTTP calls, each attempt: discounts to items, and the key set fetches of items and discounts.
  http_client_request_duration_seconds: {
    type: 'histogram',
    labels: { target: ['items', 'auth_jwks'], outcome: UPSTREAM_OUTCOMES },
  },
  auth_token_verification_failures_total: {
    type: 'counter',
    labels: {
      reason: [
        'missing',
        'malformed',
        'unsupported_algorithm',
        'unknown_key',
        'expired',
        'not_yet_valid',
        'bad_signature',
        'wrong_issuer',
        'wrong_audience',
        'missing_claims',
        'keys_unavailable',
      ],
    },
  },
  // auth only.
  auth_login_throttle_refusals_total: { type: 'counter', labels: { limit: ['email', 'client'] } },
  auth_refresh_token_reuse_detections_total: { type: 'counter', labels: {} },
  // 1 while the readiness check of the dependency passes, else 0.
  dependency_ready: { type: 'gauge', labels: { dependency: ['database'] } },
  // Node.js default process metrics (prom-client).
  process_resident_memory_bytes: { type: 'gauge', labels: {} },
  nodejs_eventloop_lag_p99_seconds: { type: 'gauge', labels: {} },
};

/** Series name -> its family: a histogram's series are its _bucket, _count and _sum. */
const SERIES = new Map<string, { family: string; bucket: boolean } & Family>(
  Object.entries(FAMILIES).flatMap(([name, family]) =>
    family.type === 'histogram'
      ? ['_bucket', '_count', '_sum'].map(
          (suffix) =>
            [`${name}${suffix}`, { family: name, bucket: suffix === '_bucket', ...family }] as const,
        )
      : [[name, { family: name, bucket: false, ...family }] as const],
  ),
);

interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}
interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
}

const dashboard = JSON.parse(
  readFileSync(join(CHART_DIR, 'dashboards', 'platform.json'), 'utf8'),
) as Dashboard;
/** Every panel, those inside collapsed rows included. */
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queryPanels = panels.filter((panel) => panel.type !== 'row');
const queries = queryPanels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? '', target })),
);

const IDENTIFIER = /(?<![\w.$])[a-zA-Z_:][\w:]*/g;
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** The series an expression reads: identifiers that are not functions, keywords or label names. */
function seriesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(GROUPING, '');
  return [...bare.matchAll(IDENTIFIER)]
    .filter((match) => !/^\s*\(/.test(bare.slice((match.index ?? 0) + match[0].length)))
    .map((match) => match[0])
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
}

/** The selectors of an expression: series name and matchers. */
function selectorsOf(
  expr: string,
): { series: string; matchers: { label: string; op: string; value: string }[] }[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((match) => ({
    series: match[1] ?? '',
    matchers: [...(match[2] ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => ({
      label: m[1] ?? '',
      op: m[2] ?? '',
      value: m[3] ?? '',
    })),
  }));
}

const labelsOf = (series: string) => [...COMMON_LABELS, ...Object.keys(SERIES.get(series)?.labels ?? {})];
const overlap = (a: GridPos, b: GridPos) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('the Grafana dashboard', () => {
  it('has a unique id per panel', () => {
    const ids = panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('lays the panels out on the 24-column grid without overlaps, each under its row', () => {
    for (const { title, gridPos: g } of panels) {
      expect({ title, fits: g.x >= 0 && g.y >= 0 && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24 }).toEqual({
        title,
        fits: true,
      });
    }
    const overlaps = dashboard.panels.flatMap((a, i) =>
      dashboard.panels
        .slice(i + 1)
        .flatMap((b) => (overlap(a.gridPos, b.gridPos) ? [`${a.title} / ${b.title}`] : [])),
    );
    expect(overlaps).toEqual([]);
    // A panel listed after a row sits below it and above the next row.
    dashboard.panels.forEach((panel, index) => {
      if (panel.type === 'row') return;
      const row = dashboard.panels.slice(0, index).findLast((other) => other.type === 'row');
      const next = dashboard.panels.slice(index + 1).find((other) => other.type === 'row');
      const { y, h } = panel.gridPos;
      expect({
        panel: panel.title,
        row: row?.title,
        inside: (!row || row.gridPos.y < y) && (!next || y + h <= next.gridPos.y),
      }).toEqual({
        panel: panel.title,
        row: row?.title,
        inside: true,
      });
    });
  });

  it('queries the ${datasource} variable in every panel and target, each target an expression of its own', () => {
    for (const panel of queryPanels) {
      expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        datasource: '${datasource}',
      });
      const targets = panel.targets ?? [];
      expect({ panel: panel.title, targets: targets.length > 0 }).toEqual({
        panel: panel.title,
        targets: true,
      });
      const refIds = targets.map((target) => target.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of targets) {
        expect(target.datasource?.uid).toBe('${datasource}');
        expect({ panel: panel.title, expr: (target.expr ?? '').trim().length > 0 }).toEqual({
          panel: panel.title,
          expr: true,
        });
      }
    }
  });

  it('queries only the metric families the services export', () => {
    const read = queries.flatMap(({ expr }) => seriesOf(expr));
    const variables = dashboard.templating.list.flatMap((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      return [...query.matchAll(/label_values\(([a-zA-Z_:][\w:]*)/g)].map((match) => match[1] ?? '');
    });
    expect(read.length).toBeGreaterThan(10);
    expect([...read, ...variables].filter((series) => !SERIES.has(series))).toEqual([]);
    // Every family the services export for an operator is on the dashboard.
    const shown = new Set(read.map((series) => SERIES.get(series)?.family));
    expect(Object.keys(FAMILIES).filter((family) => !shown.has(family))).toEqual([]);
  });

  it("selects this namespace's chosen services, by labels and values the series carry", () => {
    for (const { panel, expr } of queries) {
      const selectors = selectorsOf(expr);
      // Every series read has a selector: a bare name would read every namespace.
      expect({ panel, selected: selectors.length }).toEqual({ panel, selected: seriesOf(expr).length });
      for (const { series, matchers } of selectors) {
        expect({ panel, series, scope: matchers.slice(0, 2) }).toEqual({
          panel,
          series,
          scope: [
            { label: 'namespace', op: '=', value: '$namespace' },
            { label: 'service', op: '=~', value: '$service' },
          ],
        });
        const family = SERIES.get(series);
        for (const { label, op, value } of matchers) {
          expect({ panel, series, label, known: labelsOf(series).includes(label) }).toEqual({
            panel,
            series,
            label,
            known: true,
          });
          const values = family?.labels[label];
          if (values && (op === '=' || op === '!=') && !value.startsWith('$')) {
            expect({ panel, series, label, value, known: values.includes(value) }).toEqual({
              panel,
              series,
              label,
              value,
              known: true,
            });
          }
        }
      }
    }
  });

  it('groups and names series by labels they carry', () => {
    for (const { panel, expr, target } of queries) {
      const series = seriesOf(expr);
      const carried = new Set([
        ...series.flatMap(labelsOf),
        ...(series.some((name) => SERIES.get(name)?.bucket) ? ['le'] : []),
      ]);
      const grouped = [...expr.matchAll(GROUPING)].flatMap((match) =>
        (match[2] ?? '')
          .split(',')
          .map((label) => label.trim())
          .filter(Boolean),
      );
      expect({ panel, unknown: grouped.filter((label) => !carried.has(label)) }).toEqual({
        panel,
        unknown: [],
      });
      const legend = [...(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '');
      expect({ panel, legend: legend.filter((label) => !grouped.includes(label)) }).toEqual({
        panel,
        legend: [],
      });
    }
  });

  it('rates over $__rate_interval, and quantiles from buckets grouped by le', () => {
    for (const { panel, expr } of queries) {
      const ranges = [...expr.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]);
      expect({ panel, ranges: ranges.filter((range) => range !== '$__rate_interval') }).toEqual({
        panel,
        ranges: [],
      });
      if (!expr.includes('histogram_quantile(')) continue;
      const grouped = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].map((match) => match[1] ?? '');
      expect({ panel, le: grouped.every((labels) => /\ble\b/.test(labels)) }).toEqual({ panel, le: true });
      expect({ panel, buckets: seriesOf(expr).every((name) => name.endsWith('_bucket')) }).toEqual({
        panel,
        buckets: true,
      });
    }
  });

  it('keeps a ratio defined at zero errors: the failures fall back to 0 times the traffic', () => {
    const ratios = queryPanels.filter((panel) => panel.fieldConfig?.defaults?.unit === 'percentunit');
    expect(ratios.length).toBeGreaterThan(3);
    for (const panel of ratios) {
      for (const target of panel.targets ?? []) {
        expect({
          panel: panel.title,
          fallback: /\)\)\n\s*or\n\s*0 \* sum by/.test(target.expr ?? ''),
        }).toEqual({
          panel: panel.title,
          fallback: true,
        });
      }
    }
  });
});
