import { TemplateError } from '../assembly/intrinsics';

/**
 * Lambda's event filtering (an event source mapping's `FilterCriteria`) for the
 * rules the local runtime supports: a pattern is an object whose leaves are
 * arrays of exact values (strings, numbers, booleans, null); a record matches a
 * pattern when every leaf's field holds one of its values (a field that holds an
 * array matches when any element does), and matches the criteria when it matches
 * any of its filters.
 *
 * Content rules (`prefix`, `anything-but`, `numeric`, `exists`, ... — an object
 * inside a leaf array) and `$or` are not implemented: a pattern that uses one is
 * refused when the template is read, naming the rule, so that a filter is never
 * silently widened (a local function seeing records it would never see on AWS).
 */

type Exact = string | number | boolean | null;

/** A compiled pattern: a leaf (values) or a node (fields). */
type PatternNode =
  | { readonly kind: 'values'; readonly values: readonly Exact[] }
  | { readonly kind: 'fields'; readonly fields: ReadonlyMap<string, PatternNode> };

export interface EventFilter {
  /** The patterns as the template wrote them (for messages). */
  readonly patterns: readonly string[];
  /** Whether `record` passes (any pattern matches). */
  matches(record: unknown): boolean;
}

/** No FilterCriteria: every record passes. */
export const PASS_ALL: EventFilter = { patterns: [], matches: () => true };

function compile(node: unknown, where: string): PatternNode {
  if (Array.isArray(node)) {
    if (node.length === 0) throw new TemplateError(`${where}: an empty list of values matches nothing; Lambda refuses it`);
    for (const [i, value] of node.entries()) {
      if (value !== null && typeof value === 'object') {
        throw new TemplateError(`${where}[${i}]: the content filter ${JSON.stringify(value)} is not supported by the local runtime, which filters on exact values only`);
      }
    }
    return { kind: 'values', values: node as Exact[] };
  }
  if (node === null || typeof node !== 'object') {
    throw new TemplateError(`${where}: a filter pattern's values must be in a list (got ${JSON.stringify(node)})`);
  }
  const fields = new Map<string, PatternNode>();
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('$')) throw new TemplateError(`${where}.${key}: ${key} is not supported by the local runtime, which filters on exact values only`);
    fields.set(key, compile(value, `${where}.${key}`));
  }
  if (fields.size === 0) throw new TemplateError(`${where}: an empty pattern object`);
  return { kind: 'fields', fields };
}

function matchNode(pattern: PatternNode, value: unknown): boolean {
  if (pattern.kind === 'values') {
    if (value === undefined) return false;
    const candidates = Array.isArray(value) ? value : [value];
    // Exact values match scalars only: an object in the record never equals one.
    return candidates.some((candidate) => pattern.values.some((expected) => expected === candidate));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const [key, child] of pattern.fields) {
    if (!matchNode(child, (value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * Compiles `FilterCriteria.Filters[].Pattern` (JSON strings). Throws a
 * TemplateError naming `where` for a pattern that is not JSON or uses a rule
 * this module does not implement.
 */
export function compileEventFilter(filters: readonly { readonly Pattern?: unknown }[] | undefined, where: string): EventFilter {
  if (!filters || filters.length === 0) return PASS_ALL;
  const patterns: string[] = [];
  const compiled = filters.map((filter, i) => {
    const at = `${where}[${i}].Pattern`;
    const text = filter.Pattern;
    if (typeof text !== 'string') throw new TemplateError(`${at}: a filter pattern is a JSON string`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TemplateError(`${at}: not valid JSON (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TemplateError(`${at}: a filter pattern is a JSON object`);
    patterns.push(text);
    return compile(parsed, at);
  });
  return { patterns, matches: (record) => compiled.some((pattern) => matchNode(pattern, record)) };
}
