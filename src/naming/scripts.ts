/**
 * UTS #39's "Highly Restrictive" level (section 5.2), over each character's Script_Extensions as Node's ICU
 * knows them (`\p{scx=…}`; Unicode 17 with the Node this runs on): the same data as NFKC and the category
 * checks, so the rules never disagree with each other, and nothing to download or keep in step. Common and
 * Inherited characters (digits, punctuation, emoji, combining marks, joiners) go with every script.
 */

/**
 * Every script Node's regular expressions know, most used first so that a name's first test usually
 * passes. A test checks that they cover every assigned character, so a Node upgrade that adds a script fails
 * there instead of refusing that script's names.
 */
export const SCRIPTS = [
  'Latin', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Cyrillic', 'Greek', 'Arabic', 'Hebrew',
  'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala',
  'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Georgian', 'Armenian', 'Ethiopic', 'Khmer', 'Mongolian', 'Syriac', 'Thaana',
  'Nko', 'Tifinagh', 'Cherokee', 'Canadian_Aboriginal', 'Yi', 'Javanese', 'Balinese', 'Sundanese', 'Adlam',
  'Caucasian_Albanian', 'Ahom', 'Imperial_Aramaic', 'Avestan', 'Bamum', 'Bassa_Vah', 'Batak', 'Bhaiksuki', 'Brahmi',
  'Braille', 'Buginese', 'Buhid', 'Chakma', 'Carian', 'Cham', 'Chorasmian', 'Coptic', 'Cypro_Minoan', 'Cypriot',
  'Deseret', 'Dives_Akuru', 'Dogra', 'Duployan', 'Egyptian_Hieroglyphs', 'Elbasan', 'Elymaic', 'Garay', 'Glagolitic',
  'Gunjala_Gondi', 'Masaram_Gondi', 'Gothic', 'Grantha', 'Gurung_Khema', 'Hanunoo', 'Hatran',
  'Anatolian_Hieroglyphs', 'Pahawh_Hmong', 'Nyiakeng_Puachue_Hmong', 'Old_Hungarian', 'Old_Italic', 'Kayah_Li',
  'Kawi', 'Kharoshthi', 'Khojki', 'Khitan_Small_Script', 'Kirat_Rai', 'Kaithi', 'Tai_Tham', 'Lepcha', 'Limbu',
  'Linear_A', 'Linear_B', 'Lisu', 'Lycian', 'Lydian', 'Mahajani', 'Makasar', 'Mandaic', 'Manichaean', 'Marchen',
  'Medefaidrin', 'Mende_Kikakui', 'Meroitic_Cursive', 'Meroitic_Hieroglyphs', 'Modi', 'Mro', 'Meetei_Mayek',
  'Multani', 'Nag_Mundari', 'Nandinagari', 'Old_North_Arabian', 'Nabataean', 'Newa', 'Nushu', 'Ogham', 'Ol_Chiki',
  'Ol_Onal', 'Old_Turkic', 'Osage', 'Osmanya', 'Old_Uyghur', 'Palmyrene', 'Pau_Cin_Hau', 'Old_Permic', 'Phags_Pa',
  'Inscriptional_Pahlavi', 'Psalter_Pahlavi', 'Phoenician', 'Miao', 'Inscriptional_Parthian', 'Rejang',
  'Hanifi_Rohingya', 'Runic', 'Samaritan', 'Old_South_Arabian', 'Saurashtra', 'SignWriting', 'Shavian', 'Sharada',
  'Siddham', 'Sidetic', 'Khudawadi', 'Sogdian', 'Old_Sogdian', 'Sora_Sompeng', 'Soyombo', 'Sunuwar', 'Syloti_Nagri',
  'Tagbanwa', 'Takri', 'Tai_Le', 'New_Tai_Lue', 'Tangut', 'Tai_Viet', 'Tai_Yo', 'Tolong_Siki', 'Tangsa', 'Todhri',
  'Toto', 'Tulu_Tigalari', 'Tagalog', 'Tirhuta', 'Ugaritic', 'Vai', 'Vithkuqi', 'Warang_Citi', 'Wancho',
  'Old_Persian', 'Cuneiform', 'Yezidi', 'Zanabazar_Square', 'Beria_Erfe',
] as const;

/**
 * Common and Inherited characters go with every script, so they are taken out once before the tests: the
 * per-script patterns then stay small, which keeps the one-off cost of compiling 172 of them (the first time a
 * name of a rarer script or a mixed name is judged) near 0.1 s instead of several times that.
 */
const WITH_EVERY_SCRIPT = /[\p{scx=Zyyy}\p{scx=Zinh}]/gu;
const covering = (scripts: readonly string[]) => new RegExp(`^[${scripts.map((script) => `\\p{scx=${script}}`).join('')}]*$`, 'u');

/** Japanese, Chinese and Korean writing, each with Latin. */
const HIGHLY_RESTRICTIVE = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
].map(covering);
const SINGLE = SCRIPTS.map((script) => ({ script, covers: covering([script]) }));
const ASCII = /^[\0-\x7f]*$/;

export interface ScriptUse {
  script: string;
  /** The first character of the name in that script. */
  codePoint: number;
}

/**
 * Undefined when `name` is in one script (plus Common and Inherited) or one of the Highly Restrictive
 * combinations; else the scripts it mixes, in order of appearance, each with its first character.
 */
export function mixedScripts(name: string): ScriptUse[] | undefined {
  if (ASCII.test(name)) return undefined;
  const letters = name.replace(WITH_EVERY_SCRIPT, '');
  if (HIGHLY_RESTRICTIVE.some((regex) => regex.test(letters)) || SINGLE.some(({ covers }) => covers.test(letters))) {
    return undefined;
  }
  const uses: ScriptUse[] = [];
  for (const char of name) {
    const script = scriptOf(char);
    if (script && !uses.some((use) => use.script === script)) uses.push({ script, codePoint: char.codePointAt(0)! });
  }
  return uses;
}

/** The first script (most used first) a character belongs to, as `Old Italic`; undefined for Common and Inherited. */
export function scriptOf(char: string): string | undefined {
  if (char.replace(WITH_EVERY_SCRIPT, '') === '') return undefined;
  return (SINGLE.find(({ covers }) => covers.test(char))?.script ?? 'Unknown').replaceAll('_', ' ');
}
