import type { PutCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { conditionFailed } from './fixtures';

/**
 * An in-memory table for the handler's PutItem and UpdateItem calls, evaluating the subset of
 * DynamoDB's expression language the repository writes: `SET a = :v`,
 * `SET a = if_not_exists(a, :v)`, `ADD a :n`, and conditions of
 * `attribute_not_exists(a)`, `attribute_exists(a)`, `a < :v`, `a = :v`, `a > :v`
 * joined by `AND` within a parenthesized term, terms joined by `OR`. A failed
 * condition throws ConditionalCheckFailedException carrying the old item, as
 * ReturnValuesOnConditionCheckFailure: ALL_OLD does. Lets tests follow state items
 * across several requests instead of scripting each answer.
 */
export class FakeStateTable {
  private readonly items = new Map<string, Record<string, unknown>>();

  /** The stored item, or undefined. */
  public get(pk: string, sk = 'STATE'): Record<string, unknown> | undefined {
    return this.items.get(`${pk}|${sk}`);
  }

  public put(input: PutCommandInput): Record<string, never> {
    const item = input.Item as Record<string, unknown>;
    const id = `${item.pk}|${item.sk}`;
    const old = this.items.get(id);
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const attribute = (token: string) => input.ExpressionAttributeNames?.[token] ?? token;
    if (input.ConditionExpression && !this.holds(input.ConditionExpression, old, attribute, (token) => values[token])) {
      throw conditionFailed(old);
    }
    this.items.set(id, item);
    return {};
  }

  public update(input: UpdateCommandInput): Record<string, never> {
    const key = input.Key as Record<string, string>;
    const id = `${key.pk}|${key.sk}`;
    const old = this.items.get(id);
    const names = input.ExpressionAttributeNames ?? {};
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const attribute = (token: string) => names[token] ?? token;
    const value = (token: string) => {
      if (!(token in values)) throw new Error(`expression value ${token} is not defined`);
      return values[token];
    };

    if (input.ConditionExpression && !this.holds(input.ConditionExpression, old, attribute, value)) {
      throw conditionFailed(old);
    }
    const item: Record<string, unknown> = { ...(old ?? key) };
    const [setClause, addClause = ''] = input.UpdateExpression!.replace(/^SET /, '').split(' ADD ');
    for (const match of setClause.matchAll(/(#\w+) = (?:if_not_exists\((#\w+), (:\w+)\)|(:\w+))/g)) {
      const [, target, existing, fallback, plain] = match;
      item[attribute(target)] = plain !== undefined ? value(plain) : item[attribute(existing)] ?? value(fallback);
    }
    for (const match of addClause.matchAll(/(#\w+) (:\w+)/g)) {
      const [, target, amount] = match;
      item[attribute(target)] = Number(item[attribute(target)] ?? 0) + Number(value(amount));
    }
    this.items.set(id, item);
    return {};
  }

  private holds(
    condition: string,
    item: Record<string, unknown> | undefined,
    attribute: (token: string) => string,
    value: (token: string) => unknown,
  ): boolean {
    return condition.split(' OR ').some((term) => term.replace(/^\((.*)\)$/, '$1').split(' AND ').every((atom) => {
      const existence = /^attribute_(not_)?exists\((#\w+)\)$/.exec(atom);
      if (existence) return (item?.[attribute(existence[2])] === undefined) === (existence[1] !== undefined);
      const comparison = /^(#\w+) ([<=>]) (:\w+)$/.exec(atom);
      if (!comparison) throw new Error(`unsupported condition ${atom}`);
      const actual = item?.[attribute(comparison[1])] as string | undefined;
      const expected = value(comparison[3]) as string;
      if (actual === undefined) return false;
      if (comparison[2] === '<') return actual < expected;
      if (comparison[2] === '>') return actual > expected;
      return actual === expected;
    }));
  }
}
