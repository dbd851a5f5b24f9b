import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../console/src/i18n/messages';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the message catalogue', () => {
  it('says every message in Chinese and in English, neither empty', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.zh).sort());
    const empty = Object.entries(MESSAGES).flatMap(([language, messages]) => Object.entries(messages).filter(([, text]) => text.trim() === '').map(([id]) => `${language} ${id}`));
    expect(empty).toEqual([]);
  });

  it('fills the same places in both languages', () => {
    const differing = Object.keys(MESSAGES.zh).filter((id) => {
      const key = id as keyof typeof MESSAGES.zh;
      return placeholders(MESSAGES.zh[key]).join() !== placeholders(MESSAGES.en[key]).join();
    });
    expect(differing).toEqual([]);
  });

  it('writes the Chinese in Chinese: a Chinese message with words in it has Han characters (the switch to English and the NPS acronym aside)', () => {
    const untranslated = Object.entries(MESSAGES.zh)
      .filter(([id]) => !['app.switchLanguage', 'metric.complaints.nps'].includes(id))
      .filter(([, text]) => /[A-Za-z]{2}/.test(text.replace(/\{\w+\}/g, '')) && !/\p{Script=Han}/u.test(text))
      .map(([id]) => id);
    expect(untranslated).toEqual([]);
  });
});
