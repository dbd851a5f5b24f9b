import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Language } from '../format';
import { MESSAGES, type MessageId } from './messages';

export type Translate = (id: MessageId, values?: Record<string, string | number>) => string;

/** The text of a message in a language, with its `{name}` places filled. */
export const translate = (language: Language, id: MessageId, values: Record<string, string | number> = {}) =>
  MESSAGES[language][id].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));

type I18n = { language: Language; t: Translate; setLanguage: (language: Language) => void };

const I18nContext = createContext<I18n | null>(null);

/** The reader's choice of language is not a secret: it stays in localStorage, unlike the key. */
const LANGUAGE_ITEM = 'ledger.console.language';
const HTML_LANG: Record<Language, string> = { zh: 'zh-CN', en: 'en' };

export const I18nProvider = ({ children, initial }: { children: ReactNode; initial?: Language }) => {
  const [language, setLanguageState] = useState<Language>(() => initial ?? (localStorage.getItem(LANGUAGE_ITEM) === 'en' ? 'en' : 'zh'));
  useEffect(() => {
    document.documentElement.lang = HTML_LANG[language];
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(LANGUAGE_ITEM, next);
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => ({ language, setLanguage, t: (id, values) => translate(language, id, values) }), [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
};

export const useI18n = () => {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
};
