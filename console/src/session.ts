/**
 * The API key lives for the tab's session only: sessionStorage, never a URL, a cookie or
 * localStorage, so closing the tab forgets it and no link or history entry carries it.
 */
const KEY_ITEM = 'ledger.console.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key: string) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);
