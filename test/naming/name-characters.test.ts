import { describe, expect, it } from 'vitest';
import { isVirama } from '../../src/naming/joiners';
import { nameProblem, normalizeName } from '../../src/naming/name-characters';
import { canonicalBaseName } from '../../src/naming/naming';
import { SCRIPTS } from '../../src/naming/scripts';

/** The error `canonicalBaseName` raises for `raw`, as a client sees it. */
function refusal(raw: string) {
  try {
    canonicalBaseName(raw);
  } catch (error) {
    const { message, extensions } = error as { message: string; extensions: Record<string, unknown> };
    return { message, ...extensions };
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe('characters a name may hold (SPEC section 12)', () => {
  it.each([
    ['می\u200Cخواهم', 'Persian: ZWNJ between a joining letter and a joining letter'],
    ['نامه\u200Cها', 'Persian: ZWNJ after heh, before heh'],
    ['\u0645\u064E\u200C\u062E', 'Persian: ZWNJ after a transparent mark'],
    ['क्\u200Dष', 'Devanagari: ZWJ after a virama'],
    ['क्\u200Cष', 'Devanagari: ZWNJ after a virama'],
    ['\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', 'family emoji'],
    ['\u{1F3F3}\uFE0F\u200D\u{1F308}', 'rainbow flag: VS16 before the ZWJ'],
    ['\u{1F9D1}\u{1F3FD}\u200D\u{1F4BB}', 'technologist with a skin tone'],
    ['東京タワー', 'Japanese: kanji and katakana'],
    ['東京 Tokyo', 'Japanese with Latin'],
    ['ひらがなとカタカナ', 'hiragana with katakana'],
    ['北京 ㄅㄆㄇ Beijing', 'Chinese: Han, Bopomofo and Latin'],
    ['서울 Seoul 漢字', 'Korean: Hangul, Han and Latin'],
    ['Ελλάδα', 'Greek'],
    ['Москва 2024', 'Cyrillic with digits'],
    ['Café Münster', 'Latin with accents'],
    ['Clima 🌍', 'Latin with an emoji'],
    ['שלום', 'Hebrew'],
    ['١٢٣ مرحبا', 'Arabic with Arabic-Indic digits'],
  ])('accepts %j (%s)', (name) => {
    expect(canonicalBaseName(name)).toBe(name.normalize('NFKC'));
  });

  it.each([
    ['Clim\u200Bate', 'U+200B', 'format character'],
    ['\u200BClimate', 'U+200B', 'format character'],
    ['Climate\u00AD', 'U+00AD', 'format character'],
    ['Clim\u2060ate', 'U+2060', 'format character'],
    ['Clim\uFEFFate', 'U+FEFF', 'format character'],
    ['\uFEFFClimate', 'U+FEFF', 'format character'],
    ['\u202EClimate', 'U+202E', 'format character'],
    ['Cli\u202Emate', 'U+202E', 'format character'],
    ['Climate\u202E', 'U+202E', 'format character'],
    ['\u2066Climate', 'U+2066', 'format character'],
    ['Cli\u2067mate\u2069', 'U+2067', 'format character'],
    ['Climate\u2068', 'U+2068', 'format character'],
    ['\u202AClimate', 'U+202A', 'format character'],
    ['Cli\u200Cmate', 'U+200C', 'format character'],
    ['Cli\u200Dmate', 'U+200D', 'format character'],
    ['\u200Cمی', 'U+200C', 'format character'],
    ['می\u200C', 'U+200C', 'format character'],
    ['\u0627\u200C\u062E', 'U+200C', 'format character'],
    ['\u{1F468}\u200D', 'U+200D', 'format character'],
    ['a\u200D\u{1F469}', 'U+200D', 'format character'],
    ['Clim\uD800ate', 'U+D800', 'unpaired surrogate'],
    ['Climate\uDC00', 'U+DC00', 'unpaired surrogate'],
    ['Clim\uE000ate', 'U+E000', 'private use'],
    ['Climate\u{F0000}', 'U+F0000', 'private use'],
    ['Clim\uFDD0ate', 'U+FDD0', 'noncharacter'],
    ['Climate\uFFFE', 'U+FFFE', 'noncharacter'],
    ['Climate\u{1FFFF}', 'U+1FFFF', 'noncharacter'],
    ['Clim\u0378ate', 'U+0378', 'unassigned'],
    ['Climate\u{E0000}', 'U+E0000', 'unassigned'],
  ])('refuses %j: %s, %s', (name, codePoint, rule) => {
    const error = refusal(name);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', codePoint, rule });
    expect(error.message).toContain(codePoint);
    expect(error.message).toContain(rule);
  });

  it.each([
    ['Clіmate', ['Latin', 'Cyrillic'], 'U+0456'],
    ['Сlimate', ['Cyrillic', 'Latin'], 'U+006C'],
    ['Climaτe', ['Latin', 'Greek'], 'U+03C4'],
    ['ΑΒΓ ABC', ['Greek', 'Latin'], 'U+0041'],
    ['Москва Moscow', ['Cyrillic', 'Latin'], 'U+004D'],
    ['東京 Москва', ['Han', 'Cyrillic'], 'U+041C'],
    ['서울 ひらがな', ['Hangul', 'Hiragana'], 'U+3072'],
    ['Climate ١٢', ['Latin', 'Arabic'], 'U+0661'],
  ])('refuses %j as mixing %j', (name, scripts, codePoint) => {
    const error = refusal(name);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'mixed scripts', scripts, codePoint });
    expect(error.message).toContain(`mixes scripts ${scripts.join(' and ')}`);
  });

  it('finds an unpaired surrogate in the raw string, before normalising', () => {
    expect(() => normalizeName('#Clim\uD83Date', 'tag')).toThrow(/U\+D83D \(unpaired surrogate/);
    expect(normalizeName('ﬁsh \u{1F600}', 'tag')).toBe('fish \u{1F600}');
  });

  it('reports the first rule a stored name breaks, without throwing', () => {
    expect(nameProblem('Climate')).toBeUndefined();
    expect(nameProblem('東京タワー')).toBeUndefined();
    expect(nameProblem('Clim\u200Bate')).toMatchObject({ rule: 'format character', codePoint: 'U+200B' });
    expect(nameProblem('Clіmate')).toMatchObject({ rule: 'mixed scripts', scripts: ['Latin', 'Cyrillic'] });
  });

  it('reads canonical combining class 9 (virama) from Node’s normalisation data', () => {
    for (const virama of [0x094d, 0x09cd, 0x0bcd, 0x0d4d, 0x0dca, 0x1039, 0x17d2, 0xa8c4, 0x11046]) expect(isVirama(virama), virama.toString(16)).toBe(true);
    for (const other of [0x0061, 0x093c, 0x0301, 0x05b0, 0x3099, 0x0e38, 0x0334]) expect(isVirama(other), other.toString(16)).toBe(false);
  });

  it('knows a script for every assigned character Node knows, so no script’s names are refused for want of it', () => {
    const classes = SCRIPTS.map((script) => `\\p{scx=${script}}`).join('');
    const known = new RegExp(`[${classes}\\p{scx=Zyyy}\\p{scx=Zinh}\\p{Cn}\\p{Cs}\\p{Co}]`, 'u');
    const unknown: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) if (!known.test(String.fromCodePoint(cp))) unknown.push(cp.toString(16));
    expect(unknown).toEqual([]);
  });
});
