import { describe, expect, it } from 'vitest';
import { canonicalTag, inlineHashtags, tagCandidates } from '../../src/events/tag-parser';

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const { message, extensions } = error as { message: string; extensions?: { code?: string } };
    return { code: extensions?.code, message };
  }
  return undefined;
};

describe('inline hashtags (SPEC section 6)', () => {
  it('finds hashtags in text, in order, without the #', () => {
    expect(inlineHashtags('Floods in #Valencia and #climate_change, again #Valencia')).toEqual(['Valencia', 'climate_change', 'Valencia']);
  });

  it('ignores URL fragments and anchors', () => {
    expect(inlineHashtags('see https://x.org/#anchor and http://a.b/c?d=1#frag#more')).toEqual([]);
    expect(inlineHashtags('(https://x.org/#anchor) #real')).toEqual(['real']);
  });

  it('needs a # not preceded by a letter, digit or _', () => {
    expect(inlineHashtags('C#sharp a_#b 9#nine issue#12 word #ok')).toEqual(['ok']);
  });

  it('needs at least one letter', () => {
    expect(inlineHashtags('#1 #2024 #_ #__ #1st')).toEqual(['1st']);
  });

  it('stops at punctuation other than _ and at whitespace', () => {
    expect(inlineHashtags('#end. #comma, #semi; #dash-ed #quote" #paren) #a_b!')).toEqual(['end', 'comma', 'semi', 'dash', 'quote', 'paren', 'a_b']);
  });

  it('stops at emoji and symbols', () => {
    expect(inlineHashtags('#party🎉 🎉#fun #🎉 #love❤️')).toEqual(['party', 'fun', 'love']);
  });

  it('reads CJK, RTL and combining marks', () => {
    expect(inlineHashtags('東京 #東京オリンピック。#日本')).toEqual(['東京オリンピック', '日本']);
    expect(inlineHashtags('שלום #ירושלים, مرحبا #القاهرة')).toEqual(['ירושלים', 'القاهرة']);
    expect(inlineHashtags('#हिन्दी #Cafe\u0301')).toEqual(['हिन्दी', 'Cafe\u0301']);
  });

  it('keeps joiners inside a word, for the naming rules to judge', () => {
    expect(inlineHashtags('امروز #می\u200Cخواهم بروم')).toEqual(['می\u200Cخواهم']);
    expect(inlineHashtags('#Clim\u200Bate #Clim\u200Date')).toEqual(['Clim', 'Clim\u200Date']);
    expect(tagCandidates({ title: 'امروز #می\u200Cخواهم' })).toEqual(['می\u200Cخواهم']);
    expect(failure(() => tagCandidates({ title: 'hot #Clim\u200Date' }))?.message).toContain('U+200D');
  });

  it('reads ##double as the tag "double" (a run of # is one marker)', () => {
    expect(inlineHashtags('##double ###triple')).toEqual(['double', 'triple']);
  });

  it('finds nothing in Markdown headings or a bare #', () => {
    expect(inlineHashtags('## Heading # and #')).toEqual([]);
  });
});

describe('tag candidates', () => {
  it('takes explicit tags, then the title, then the description; canonical; identical strings merged', () => {
    expect(
      tagCandidates({ title: 'Storm #Climate', description: 'more #Weather #climate', tags: ['#Climate', ' Climate   Change ', 'ﬁsh'] }),
    ).toEqual(['Climate', 'Climate Change', 'fish', 'Weather', 'climate']);
  });

  it('keeps case variants for the database to fold', () => {
    expect(tagCandidates({ title: '#Straße', tags: ['STRASSE'] })).toEqual(['STRASSE', 'Straße']);
  });

  it.each([
    ['', 'must not be empty'],
    ['#', 'must not be empty'],
    ['i-Climate', 'must not start with "i-"'],
    ['My-Climate', 'must not start with "My-"'],
    ['x'.repeat(101), 'at most 100 characters'],
    ['##double', 'must not start with "#"'],
    ['a\u0007b', 'control characters'],
    ['Clim\u200Bate', 'U+200B (format character'],
    ['#\u202EClimate', 'U+202E (format character'],
    ['Clіmate', 'mixes scripts Latin and Cyrillic'],
    ['Clim\uDBFFate', 'U+DBFF (unpaired surrogate'],
  ])('refuses the explicit tag %j, naming it', (tag, reason) => {
    const error = failure(() => canonicalTag(tag));
    expect(error?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toContain(`"${tag}"`);
    expect(error?.message).toContain(reason);
  });

  it('refuses an input naming far more tags than an event may hold before any SQL', () => {
    const tags = Array.from({ length: 501 }, (_, i) => `tag${i}`);
    expect(failure(() => tagCandidates({ title: 't', tags }))?.code).toBe('BAD_USER_INPUT');
  });
});
