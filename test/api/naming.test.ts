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
    expect(formatName('hashtag', 'Climate')).toBe('#Climate');
    expect(formatName('community', 'Climate')).toBe('i-Climate');
    expect(formatName('personal', 'Climate')).toBe('My-Climate');
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
    expect(baseNameForType('hashtag', '#Foo')).toBe('Foo');
    expect(baseNameForType('community', 'I-Foo')).toBe('Foo');
    expect(baseNameForType('personal', 'my-Foo')).toBe('Foo');
    expect(baseNameForType('hashtag', 'Foo')).toBe('Foo');
    expect(code(() => baseNameForType('hashtag', 'i-Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('community', '#Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('personal', '#Foo'))).toBe('BAD_USER_INPUT');
    expect(code(() => baseNameForType('hashtag', '##Foo'))).toBe('BAD_USER_INPUT');
  });

  it('parses a formatted name by its prefix', () => {
    expect(parseFormattedName('#Climate')).toEqual({ type: 'hashtag', name: 'Climate' });
    expect(parseFormattedName('i-Climate')).toEqual({ type: 'community', name: 'Climate' });
    expect(parseFormattedName('I-Climate')).toEqual({ type: 'community', name: 'Climate' });
    expect(parseFormattedName('my-Climate')).toEqual({ type: 'personal', name: 'Climate' });
    expect(code(() => parseFormattedName('Climate'))).toBe('BAD_USER_INPUT');
    expect(code(() => parseFormattedName('#'))).toBe('BAD_USER_INPUT');
    expect(code(() => parseFormattedName(''))).toBe('BAD_USER_INPUT');
  });
});
