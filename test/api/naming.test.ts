import { describe, expect, it } from 'vitest';
import { baseNameForType, canonicalBaseName, formatName, parseFormattedName } from '../../src/naming/naming';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('naming (SPEC section 2)', () => {
  it('composes the formatted name from the type', () => {
    expect(formatName('HASHTAG', 'Climate')).toBe('#Climate');
    expect(formatName('COMMUNITY', 'Climate')).toBe('i-Climate');
    expect(formatName('PERSONAL', 'Climate')).toBe('My-Climate');
  });

  it('canonicalises: NFKC, trimmed, inner whitespace collapsed', () => {
    expect(canonicalBaseName('  Climate \t  Change  ')).toBe('Climate Change');
    expect(canonicalBaseName('ﬁsh')).toBe('fish');
    expect(canonicalBaseName('Cafe\u0301')).toBe('Café');
    expect(canonicalBaseName('x'.repeat(100))).toHaveLength(100);
  });

  it.each([
    ['', 'empty'],
    ['   \n ', 'whitespace only'],
    ['x'.repeat(101), '101 characters'],
    ['bad\u0000name', 'control character'],
    ['bell\u0007', 'control character'],
    ['#Foo', 'hashtag prefix'],
    ['i-Foo', 'community prefix'],
    ['I-Foo', 'community prefix, upper case'],
    ['my-Foo', 'personal prefix'],
    ['MY-Foo', 'personal prefix, upper case'],
  ])('refuses %j (%s) as BAD_USER_INPUT', (raw) => {
    expect(code(() => canonicalBaseName(raw))).toBe('BAD_USER_INPUT');
  });

  it('strips a name’s own type prefix and refuses another type’s', () => {
    expect(baseNameForType('HASHTAG', '#Foo')).toBe('Foo');
    expect(baseNameForType('COMMUNITY', 'I-Foo')).toBe('Foo');
    expect(baseNameForType('PERSONAL', 'my-Foo')).toBe('Foo');
    expect(baseNameForType('HASHTAG', 'Foo')).toBe('Foo');
    expect(code(() => baseNameForType('HASHTAG', 'i-Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('COMMUNITY', '#Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('PERSONAL', '#Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('HASHTAG', '##Foo'))).toBe('BAD_USER_INPUT');
  });

  it('parses a formatted name by its prefix', () => {
    expect(parseFormattedName('#Climate')).toEqual({ type: 'HASHTAG', name: 'Climate' });
    expect(parseFormattedName('i-Climate')).toEqual({ type: 'COMMUNITY', name: 'Climate' });
    expect(parseFormattedName('I-Climate')).toEqual({ type: 'COMMUNITY', name: 'Climate' });
    expect(parseFormattedName('my-Climate')).toEqual({ type: 'PERSONAL', name: 'Climate' });
    expect(code(() => parseFormattedName('Climate'))).toBe('BAD_USER_INPUT');
    expect(code(() => parseFormattedName('#'))).toBe('BAD_USER_INPUT');
    expect(code(() => parseFormattedName(''))).toBe('BAD_USER_INPUT');
  });
});
