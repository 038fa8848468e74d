import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DomainError } from '../errors.js';
import { illFormedText, parseWith } from './validation.js';

describe('text that is not well-formed', () => {
  it('is named by field, in values and in keys, at any depth', () => {
    const body = JSON.parse('{"name":"a\\ud800","ok":"党建","list":[{"deep":"\\udc00x"}],"k\\ud800":1}');
    expect(
      illFormedText('body', body)
        .map((i) => i.field)
        .sort(),
    ).toEqual(['body.k\uFFFD', 'body.list.0.deep', 'body.name'].sort());
  });

  it('passes well-formed text, including astral characters and emoji', () => {
    expect(illFormedText('body', { name: '𠮷野家 🎉', n: 1, none: null })).toEqual([]);
  });

  it('is refused by parseWith before the schema sees it (a 400 naming the field)', () => {
    const refuse = () => parseWith('body', z.strictObject({ name: z.string() }), { name: 'a\ud800' });
    expect(refuse).toThrow(DomainError);
    try {
      refuse();
    } catch (error) {
      expect((error as DomainError).kind).toBe('invalid');
      expect(JSON.stringify((error as DomainError).toJSON())).toContain('body.name');
    }
  });

  it('walks a deeply nested value without exhausting the stack', () => {
    let value: unknown = 'a\ud800';
    for (let i = 0; i < 100_000; i += 1) value = [value];
    expect(illFormedText('body', value)).toHaveLength(1);
  });
});
