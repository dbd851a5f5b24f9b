import { useState } from 'react';
import { ApiProblem, answered, createConsoleClient, type Me } from '../api';
import { ProblemNotice } from '../components/ProblemNotice';
import { useI18n } from '../i18n/I18n';
import { storeKey } from '../session';

/** Checks the key against GET /me before keeping it for the tab's session. */
export const SignIn = ({ onSignedIn }: { onSignedIn: (key: string, me: Me) => void }) => {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<ApiProblem | null>(null);

  const submit = async () => {
    setChecking(true);
    setRefusal(null);
    try {
      const me = await answered(createConsoleClient(key.trim()).GET('/me'));
      storeKey(key.trim());
      onSignedIn(key.trim(), me);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      setRefusal(error);
    } finally {
      setChecking(false);
    }
  };

  return (
    <section className="sign-in panel" aria-labelledby="page-title">
      <h1 id="page-title">{t('signIn.title')}</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label>
          {t('signIn.key')}
          <input type="password" name="api-key" autoComplete="off" spellCheck={false} required value={key} onChange={(event) => setKey(event.target.value)} />
        </label>
        <button type="submit" disabled={checking || key.trim() === ''}>
          {checking ? t('signIn.checking') : t('signIn.submit')}
        </button>
      </form>
      <p className="muted small">{t('signIn.note')}</p>
      {refusal && (refusal.problem.status === 401 ? <p className="danger" role="alert">{t('signIn.invalid')}</p> : <ProblemNotice problem={refusal.problem} />)}
    </section>
  );
};
