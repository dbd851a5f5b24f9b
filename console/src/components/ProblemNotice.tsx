import type { Problem } from '../api';
import { useI18n } from '../i18n/I18n';

/** A problem document as the API answered it, its rule first when a rule refused the request; all of it as text. */
export const ProblemNotice = ({ problem, heading }: { problem: Problem; heading?: string }) => {
  const { t } = useI18n();
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        <strong>{heading ?? problem.title}</strong> <span className="muted">({problem.status})</span>
      </p>
      {problem.rule && <p className="problem-rule">{t('problem.rule', { id: problem.rule.id, name: problem.rule.name })}</p>}
      <p>{problem.detail}</p>
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => (
            <li key={`${error.in}.${error.field}`}>
              {error.field}: {error.message}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p className="muted small">{t('problem.requestId', { id: problem.requestId })}</p>}
    </div>
  );
};
