import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { createTestDatabase } from '../helpers/databases.js';
import { sample } from '../helpers/prometheus.js';

/*
 * The Grafana dashboard in docs/grafana must only query what the gateway really exports. This suite parses every
 * PromQL expression of the dashboard (panel targets and template variables), runs a real server through a workload
 * that makes every metric family emit samples, and checks each referenced metric name (and the labels the
 * expressions filter or group on) against the scrape of GET /metrics.
 */

const DASHBOARD_PATH = fileURLToPath(new URL('../../docs/grafana/gateway-dashboard.json', import.meta.url));

// ------------------------------------------------------------------------------------------------ PromQL extractor

/** PromQL functions and aggregation operators: an identifier called with `(` must be one of these. */
const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil',
  'changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'double_exponential_smoothing', 'exp', 'floor',
  'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_stddev',
  'histogram_stdvar', 'histogram_sum', 'holt_winters', 'hour', 'idelta', 'increase', 'info', 'irate', 'label_join',
  'label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'mad_over_time', 'max_over_time', 'min_over_time',
  'minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'rate', 'resets',
  'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_by_label', 'sort_by_label_desc', 'sort_desc', 'sqrt',
  'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'vector', 'year',
  // `@ start()` / `@ end()` modifiers
  'start', 'end',
]);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Other keywords: binary set operators, modifiers, special float literals. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan']);
/** Grafana's built-in variables (everything else must be a dashboard templating variable). */
const GRAFANA_BUILTINS = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__from', '__to', '__dashboard', '__org', '__user', '__name']);

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}
export interface Selector {
  name: string;
  matchers: Matcher[];
}
export interface ParsedExpr {
  /** Every metric selector, in order of appearance (`name{...}` and `{__name__="name", ...}`). */
  selectors: Selector[];
  /** Label names in by/without/on/ignoring/group_left/group_right lists. */
  grouping: string[];
  functions: string[];
  /** Grafana variables ($var, ${var}, ${var:fmt}, [[var]]). */
  variables: string[];
}

/**
 * A small PromQL lexer: enough to find metric names in the expressions a dashboard uses. Strings, label matchers
 * `{...}`, ranges and subqueries `[...]`, numbers, durations, Grafana variables, keywords, label lists of by()/on()
 * etc. and function names are recognised and skipped; every remaining identifier is a metric name. An identifier
 * called like a function that PromQL does not know is an error (a typo would otherwise hide a metric).
 */
export function parsePromQL(expr: string): ParsedExpr {
  const out: ParsedExpr = { selectors: [], grouping: [], functions: [], variables: [] };
  for (const m of expr.matchAll(/\$\{([a-zA-Z_]\w*)(?::[^}]*)?\}|\$([a-zA-Z_]\w*)|\[\[([a-zA-Z_]\w*)(?::[^\]]*)?\]\]/g)) out.variables.push((m[1] ?? m[2] ?? m[3])!);
  let i = 0;
  const n = expr.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expr[i]!)) i++;
  };
  const readString = (): string => {
    const quote = expr[i]!;
    let value = '';
    i++;
    while (i < n && expr[i] !== quote) {
      if (expr[i] === '\\' && quote !== '`') {
        value += expr[i + 1] ?? '';
        i += 2;
      } else value += expr[i++];
    }
    if (i >= n) throw new Error(`unterminated string in ${expr}`);
    i++;
    return value;
  };
  /** Skips a balanced (..) or [..] group, strings included; returns its inner text. */
  const readGroup = (open: string, close: string): string => {
    const start = i + 1;
    let depth = 0;
    while (i < n) {
      const c = expr[i]!;
      if (c === '"' || c === "'" || c === '`') {
        readString();
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) {
        i++;
        return expr.slice(start, i - 1);
      }
      i++;
    }
    throw new Error(`unbalanced ${open}${close} in ${expr}`);
  };
  const readMatchers = (): Matcher[] => {
    const matchers: Matcher[] = [];
    i++; // {
    for (;;) {
      skipSpace();
      if (expr[i] === '}') {
        i++;
        return matchers;
      }
      if (expr[i] === ',') {
        i++;
        continue;
      }
      const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(expr.slice(i))?.[0];
      if (!label) throw new Error(`bad label matcher at ${i} in ${expr}`);
      i += label.length;
      skipSpace();
      const op = /^(=~|!~|!=|=)/.exec(expr.slice(i))?.[0] as Matcher['op'] | undefined;
      if (!op) throw new Error(`bad matcher operator after ${label} in ${expr}`);
      i += op.length;
      skipSpace();
      if (!['"', "'", '`'].includes(expr[i] ?? '')) throw new Error(`matcher ${label} needs a quoted value in ${expr}`);
      matchers.push({ label, op, value: readString() });
    }
  };
  let last: 'metric' | 'other' = 'other';
  while (i < n) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && expr[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      readString();
      last = 'other';
      continue;
    }
    if (c === '{') {
      const matchers = readMatchers();
      if (last === 'metric') out.selectors[out.selectors.length - 1]!.matchers.push(...matchers);
      else {
        const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
        if (!byName) throw new Error(`selector without a metric name in ${expr}`);
        out.selectors.push({ name: byName.value, matchers: matchers.filter((m) => m !== byName) });
      }
      last = 'other';
      continue;
    }
    if (c === '[') {
      readGroup('[', ']'); // range or subquery: durations, $__rate_interval, [[var]]
      last = 'other';
      continue;
    }
    if (c === '$') {
      const v = /^\$(\{[^}]*\}|\w+)/.exec(expr.slice(i))?.[0];
      if (!v) throw new Error(`bad variable at ${i} in ${expr}`);
      i += v.length;
      last = 'other';
      continue;
    }
    const duration = /^(\d+(ms|s|m|h|d|w|y))+(?![\w.])/.exec(expr.slice(i));
    const number = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)(?![\w.])/.exec(expr.slice(i));
    if (duration || number) {
      i += (duration ?? number)![0].length;
      last = 'other';
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))?.[0];
    if (ident) {
      i += ident.length;
      const lower = ident.toLowerCase();
      skipSpace();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[i] === '(') out.grouping.push(...readGroup('(', ')').split(',').map((s) => s.trim()).filter(Boolean));
        last = 'other';
      } else if (KEYWORDS.has(lower)) {
        last = 'other';
      } else if (AGGREGATIONS.has(ident) && (expr[i] === '(' || /^(by|without)\b/i.test(expr.slice(i)))) {
        out.functions.push(ident);
        last = 'other';
      } else if (expr[i] === '(') {
        if (!FUNCTIONS.has(ident)) throw new Error(`unknown PromQL function ${ident}() in ${expr}`);
        out.functions.push(ident);
        last = 'other';
      } else {
        out.selectors.push({ name: ident, matchers: [] });
        last = 'metric';
      }
      continue;
    }
    // operators, parentheses, commas, @
    i++;
    last = 'other';
  }
  return out;
}

/** The distinct metric names an expression reads. */
export function metricNames(expr: string): string[] {
  return [...new Set(parsePromQL(expr).selectors.map((s) => s.name))];
}

// ------------------------------------------------------------------------------------------------ dashboard model

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; definition?: string; query?: string | { query: string }; datasource?: { type?: string; uid?: string } }> };
  schemaVersion: number;
  uid: string;
  title: string;
}

/** Panels with queries: rows are containers (their nested panels are included, collapsed or not). */
function queryPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  for (const p of d.panels) {
    if (p.type === 'row') out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

/** Every PromQL expression of the dashboard with where it comes from. `label_values(selector, label)` yields the selector. */
function expressions(d: Dashboard): Array<{ where: string; expr: string; label?: string }> {
  const out: Array<{ where: string; expr: string; label?: string }> = [];
  for (const p of queryPanels(d)) for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}" target ${t.refId}`, expr: t.expr });
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query ?? v.definition ?? '';
    const lv = /^\s*label_values\(\s*(.*),\s*(\w+)\s*\)\s*$/s.exec(q);
    if (lv) out.push({ where: `variable $${v.name}`, expr: lv[1]!, label: lv[2]! });
    else if (/^\s*(label_names|metrics)\(/.test(q)) continue;
    else out.push({ where: `variable $${v.name}`, expr: q.replace(/^\s*query_result\((.*)\)\s*$/s, '$1') });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ scrape model

interface Scrape {
  /** Metric family name -> type from `# TYPE` lines. */
  types: Map<string, string>;
  /** Sample name -> the label sets of its samples. */
  samples: Map<string, Array<Record<string, string>>>;
}

function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, Array<Record<string, string>>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!samples.has(m[1]!)) samples.set(m[1]!, []);
    samples.get(m[1]!)!.push(labels);
  }
  return { types, samples };
}

/** Labels Prometheus attaches at scrape time (not in the exposition). */
const TARGET_LABELS = new Set(['job', 'instance']);

/** Metrics that only have samples in some deployments, with the reason; elsewhere their `# TYPE` line must exist. */
const CONDITIONAL: Record<string, string> = {
  gateway_db_pool_connections: 'pool stats exist on PostgreSQL only (checked by the PostgreSQL case below)',
};

/** Why `name` is not a series the server exports (undefined when it is). */
function notExported(name: string, scrape: Scrape, allowDeclaredOnly: boolean): string | undefined {
  if (scrape.samples.has(name)) return undefined;
  const family = name.replace(/_(bucket|sum|count)$/, '');
  if (allowDeclaredOnly && CONDITIONAL[name] && scrape.types.has(name)) return undefined;
  if (scrape.types.get(name) === 'histogram') return `${name} is a histogram: query ${name}_bucket, ${name}_sum or ${name}_count`;
  if (family !== name && scrape.types.get(family) === 'histogram') return `${name}: histogram ${family} exported no such series after the workload`;
  if (scrape.types.has(name)) return `${name} is declared but had no samples after the workload`;
  return `${name} is not exported by the server`;
}

/** Label names a series can be queried by: its own labels, target labels, and `exported_<x>` for a clashing `<x>`. */
function labelKnown(label: string, names: string[], scrape: Scrape): boolean {
  if (TARGET_LABELS.has(label) || label === '__name__') return true;
  const own = (l: string) => names.some((n) => (scrape.samples.get(n) ?? []).some((s) => l in s));
  if (own(label)) return true;
  const exported = /^exported_(.+)$/.exec(label)?.[1];
  return exported !== undefined && TARGET_LABELS.has(exported) && own(exported);
}

/**
 * Everything wrong with the dashboard's queries against a scrape: unknown metrics, and label names (matchers,
 * grouping, label_values) or literal `label="value"` matchers no sample of the metric carries.
 */
export function dashboardProblems(d: Dashboard, scrapeText: string, opts: { allowDeclaredOnly: boolean }): string[] {
  const scrape = parseScrape(scrapeText);
  const problems: string[] = [];
  for (const { where, expr, label } of expressions(d)) {
    let parsed: ParsedExpr;
    try {
      parsed = parsePromQL(expr);
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
      continue;
    }
    if (parsed.selectors.length === 0) problems.push(`${where}: no metric in ${expr}`);
    const names = [...new Set(parsed.selectors.map((s) => s.name))];
    for (const name of names) {
      const why = notExported(name, scrape, opts.allowDeclaredOnly);
      if (why) problems.push(`${where}: ${why}`);
    }
    for (const s of parsed.selectors) {
      if (!scrape.samples.has(s.name)) continue; // reported above, or a conditional metric without samples here
      for (const m of s.matchers) {
        if (!labelKnown(m.label, [s.name], scrape)) problems.push(`${where}: ${s.name} has no label ${m.label}`);
        else if (m.op === '=' && !m.value.includes('$') && !TARGET_LABELS.has(m.label) && !scrape.samples.get(s.name)!.some((x) => x[m.label] === m.value)) {
          problems.push(`${where}: no ${s.name} sample has ${m.label}="${m.value}"`);
        }
      }
    }
    const withSamples = names.filter((x) => scrape.samples.has(x));
    if (withSamples.length) {
      for (const g of label ? [...parsed.grouping, label] : parsed.grouping) {
        if (g === 'le' && names.some((x) => x.endsWith('_bucket'))) continue;
        if (!labelKnown(g, withSamples, scrape)) problems.push(`${where}: label ${g} is on none of ${withSamples.join(', ')}`);
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------ tests

const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;

describe('PromQL metric-name extractor', () => {
  it('finds metric names and ignores functions, keywords, labels, numbers, durations and variables', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(gateway_http_request_duration_seconds_bucket{job=~"$job", instance=~"${instance:regex}", route!="/metrics"}[$__rate_interval])))')).toEqual(['gateway_http_request_duration_seconds_bucket']);
    expect(metricNames('sum without (instance) (increase(a_total[5m] offset 1h)) / on (route) group_left (status) b_count > bool 1e3 and c unless d @ end()')).toEqual(['a_total', 'b_count', 'c', 'd']);
    expect(metricNames('max_over_time(rate(x_total[1m])[1h:5m]) * 60 + label_replace(y, "dst", "$1", "src", "(.*)") or vector(0) # trailing comment sum(z)')).toEqual(['x_total', 'y']);
    expect(metricNames('{__name__="via_name_matcher", kind="select"} - sum(rate(m:recording_rule[[[interval]]]))')).toEqual(['via_name_matcher', 'm:recording_rule']);
    const parsed = parsePromQL('sum by (reason, channel) (rate(r_total{channel=~"$channel", reason="515"}[2m])) / ignoring(reason) s');
    expect(parsed.grouping).toEqual(['reason', 'channel', 'reason']);
    expect(parsed.selectors[0]).toEqual({ name: 'r_total', matchers: [{ label: 'channel', op: '=~', value: '$channel' }, { label: 'reason', op: '=', value: '515' }] });
    expect(parsed.variables).toEqual(['channel']);
  });

  it('rejects calls to functions PromQL does not have (a typo must not hide a metric)', () => {
    expect(() => parsePromQL('rat(gateway_messages_total[5m])')).toThrow(/unknown PromQL function rat/);
  });
});

describe('Grafana dashboard structure', () => {
  const panels = queryPanels(dashboard);
  const exprsOf = (p: Panel) => (p.targets ?? []).map((t) => t.expr ?? '');

  it('is an importable Grafana 10+ dashboard with a ${DS_PROMETHEUS} input', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    const ids = dashboard.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
    expect(new Set(ids).size, 'panel ids are unique').toBe(ids.length);
  });

  it('gives every panel a datasource, a gridPos and at least one target with an expression', () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.gridPos, p.title).toBeDefined();
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = new Set<string>();
      for (const t of p.targets!) {
        expect(t.expr?.trim(), `${p.title} ${t.refId}`).toBeTruthy();
        expect(t.datasource, `${p.title} ${t.refId}`).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
        expect(refIds.has(t.refId!), `${p.title} duplicate refId ${t.refId}`).toBe(false);
        refIds.add(t.refId!);
      }
    }
  });

  it('only uses templating variables it defines (and Grafana built-ins)', () => {
    const defined = new Set(dashboard.templating.list.map((v) => v.name));
    expect(defined).toEqual(new Set(['job', 'instance', 'channel']));
    for (const v of dashboard.templating.list) expect(v.datasource, v.name).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    for (const { where, expr } of expressions(dashboard)) {
      for (const v of parsePromQL(expr).variables) expect(defined.has(v) || GRAFANA_BUILTINS.has(v), `${where} uses undefined $${v}`).toBe(true);
    }
  });

  it('has a panel for every topic operators watch', () => {
    const parsedOf = (p: Panel) => exprsOf(p).map((e) => parsePromQL(e));
    const uses = (p: Panel, metric: string | RegExp) => parsedOf(p).some((x) => x.selectors.some((s) => (typeof metric === 'string' ? s.name === metric : metric.test(s.name))));
    const groupsBy = (p: Panel, label: string) => parsedOf(p).some((x) => x.grouping.includes(label));
    const quantile = (p: Panel, q: number, bucket: string, by?: string) =>
      exprsOf(p).some((e) => new RegExp(`histogram_quantile\\(\\s*${q}\\s*,`).test(e) && metricNames(e).includes(bucket) && (!by || parsePromQL(e).grouping.includes(by)));
    const ratio = (p: Panel, statusClass: string) =>
      exprsOf(p).some((e) => e.includes('/') && parsePromQL(e).selectors.some((s) => s.name === 'gateway_http_request_duration_seconds_count' && s.matchers.some((m) => m.label === 'status' && m.op === '=~' && m.value === statusClass)) && parsePromQL(e).grouping.includes('route'));
    const topics: Record<string, (p: Panel) => boolean> = {
      'webhook throughput (delivered/retried/dead rate)': (p) => ['gateway_webhook_delivered_total', 'gateway_webhook_retried_total', 'gateway_webhook_dead_total'].every((m) => uses(p, m)) && parsedOf(p).every((x) => x.functions.includes('rate')),
      'webhook delivery latency p50/p95/p99': (p) => [0.5, 0.95, 0.99].every((q) => quantile(p, q, 'gateway_webhook_delivery_latency_seconds_bucket')),
      'outbox pending': (p) => p.type === 'timeseries' && uses(p, 'gateway_outbox_pending'),
      'outbox oldest pending age': (p) => p.type === 'timeseries' && uses(p, 'gateway_outbox_oldest_pending_age_seconds'),
      'API latency p50 by route': (p) => quantile(p, 0.5, 'gateway_http_request_duration_seconds_bucket', 'route'),
      'API latency p95 by route': (p) => quantile(p, 0.95, 'gateway_http_request_duration_seconds_bucket', 'route'),
      'API latency p99 by route': (p) => quantile(p, 0.99, 'gateway_http_request_duration_seconds_bucket', 'route'),
      'request rate by route': (p) => uses(p, 'gateway_http_request_duration_seconds_count') && groupsBy(p, 'route') && parsedOf(p).some((x) => x.functions.includes('rate') && x.selectors.every((s) => !s.matchers.some((m) => m.label === 'status'))),
      '5xx ratio by route': (p) => ratio(p, '5..'),
      '4xx ratio by route': (p) => ratio(p, '4..'),
      'instances by state': (p) => uses(p, 'gateway_instances') && groupsBy(p, 'state'),
      'messages per minute sent/received': (p) => uses(p, 'gateway_messages_total') && groupsBy(p, 'direction') && exprsOf(p).some((e) => /\*\s*60\b/.test(e)),
      'reconnects by reason': (p) => uses(p, 'gateway_channel_reconnects_total') && groupsBy(p, 'reason'),
      'DB query latency p95 by kind': (p) => quantile(p, 0.95, 'gateway_db_query_duration_seconds_bucket', 'kind'),
      'DB pool connections': (p) => uses(p, 'gateway_db_pool_connections') && groupsBy(p, 'use'),
      'process memory': (p) => uses(p, 'gateway_process_resident_memory_bytes'),
      'process CPU': (p) => uses(p, /^gateway_process_cpu_(user_|system_)?seconds_total$/) && parsedOf(p).every((x) => x.functions.includes('rate')),
      'event loop lag': (p) => uses(p, /^gateway_nodejs_eventloop_lag_/),
    };
    const missing = Object.entries(topics).filter(([, has]) => !panels.some(has)).map(([topic]) => topic);
    expect(missing).toEqual([]);
  });
});

describe('dashboard queries against a real scrape', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  let scrapeText = '';

  const scrape = async (s: TestServer) => {
    const res = await s.call('GET', '/metrics');
    expect(res.status).toBe(200);
    return res.body as string;
  };

  beforeAll(async () => {
    await hook.start();
    server = await startTestServer();
    // Workload: an instance with a webhook, messages both ways, a 4xx, and a 515 disconnect (reconnect metrics).
    const token = await connectedSandbox(server, 'dash1', '5511970000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT', 'SEND_MESSAGE', 'CONNECTION_UPDATE'] } });
    for (let i = 0; i < 3; i++) expect((await server.call('POST', '/message/sendText/dash1', { number: '5511970000099', text: `out ${i}` }, token)).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await server.call('POST', '/sandbox/inbound/dash1', { from: '5511970000098', text: `in ${i}` })).status).toBe(201);
    expect((await server.call('GET', '/instance/connectionState/dash1', undefined, 'wrong-key')).status).toBe(401);
    expect((await server.call('POST', '/sandbox/disconnect/dash1', { statusReason: 515 })).status).toBe(200);
    await waitFor(() => hook.events('messages.upsert').length >= 3 && hook.events('send.message').length >= 3, 10_000, 'webhooks');
    scrapeText = await waitFor(async () => {
      const text = await scrape(server);
      const ready = sample(text, 'gateway_webhook_delivered_total') >= 6 && sample(text, 'gateway_channel_reconnects_total', { reason: '515' }) >= 1 && sample(text, 'gateway_instances', { state: 'open' }) >= 1;
      return ready && text;
    }, 10_000, 'delivered, reconnect and open-instance samples');
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  it('references only metrics (and labels) the server exports', () => {
    const referenced = new Set(expressions(dashboard).flatMap((e) => metricNames(e.expr)));
    expect(referenced.size).toBeGreaterThan(15);
    expect(dashboardProblems(dashboard, scrapeText, { allowDeclaredOnly: true })).toEqual([]);
  });

  it('fails on a panel whose metric the server does not export (negative self-check)', () => {
    const bogusExpr = 'sum by (route) (rate(gateway_http_requests_total{job=~"$job", route=~".*"}[5m])) / on (route) group_left histogram_quantile(0.9, sum by (le) (rate(gateway_made_up_seconds_bucket[$__rate_interval])))';
    expect(metricNames(bogusExpr)).toEqual(['gateway_http_requests_total', 'gateway_made_up_seconds_bucket']);
    // The same check as above, on a dashboard holding only the hand-written panel.
    const withBogus = (expr: string): Dashboard => ({
      ...dashboard,
      templating: { list: [] },
      panels: [{ id: 9999, type: 'timeseries', title: 'Bogus', datasource: { type: 'prometheus', uid: '${DS_PROMETHEUS}' }, targets: [{ refId: 'A', expr }] }],
    });
    const problems = dashboardProblems(withBogus(bogusExpr), scrapeText, { allowDeclaredOnly: true });
    expect(problems).toEqual([
      'panel "Bogus" target A: gateway_http_requests_total is not exported by the server',
      'panel "Bogus" target A: gateway_made_up_seconds_bucket is not exported by the server',
    ]);
    // A histogram queried by its base name returns nothing in Prometheus: rejected too.
    expect(dashboardProblems(withBogus('rate(gateway_webhook_delivery_latency_seconds[5m])'), scrapeText, { allowDeclaredOnly: true })).toEqual([
      'panel "Bogus" target A: gateway_webhook_delivery_latency_seconds is a histogram: query gateway_webhook_delivery_latency_seconds_bucket, gateway_webhook_delivery_latency_seconds_sum or gateway_webhook_delivery_latency_seconds_count',
    ]);
    // A real metric filtered or grouped on a label it does not have, or a label value that never occurs.
    expect(dashboardProblems(withBogus('sum by (destination) (rate(gateway_messages_total{direction="outbound"}[5m]))'), scrapeText, { allowDeclaredOnly: true })).toEqual([
      'panel "Bogus" target A: no gateway_messages_total sample has direction="outbound"',
      'panel "Bogus" target A: label destination is on none of gateway_messages_total',
    ]);
  });

  it('gets samples for the PostgreSQL-only pool gauge on PostgreSQL', async (ctx) => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    try {
      db = await createTestDatabase('postgresql');
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is not reachable and CI=true: ${(e as Error).message}`);
      ctx.skip();
      return;
    }
    const pgServer = await startTestServer({ DATABASE_PROVIDER: 'postgresql', DATABASE_CONNECTION_URI: db.uri });
    try {
      await pgServer.call('GET', '/instance/fetchInstances');
      const text = await scrape(pgServer);
      for (const name of Object.keys(CONDITIONAL)) expect(parseScrape(text).samples.has(name), name).toBe(true);
      const conditional = expressions(dashboard).filter((e) => metricNames(e.expr).some((m) => m in CONDITIONAL));
      expect(conditional.length).toBeGreaterThan(0);
      const only: Dashboard = { ...dashboard, templating: { list: [] }, panels: queryPanels(dashboard).filter((p) => (p.targets ?? []).some((t) => metricNames(t.expr ?? '').some((m) => m in CONDITIONAL))) };
      expect(dashboardProblems(only, text, { allowDeclaredOnly: false })).toEqual([]);
    } finally {
      await pgServer.stop();
      await db.drop();
    }
  });
});
