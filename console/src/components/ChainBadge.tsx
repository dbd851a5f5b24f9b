import { useI18n } from '../i18n/I18n';

export type ChainBreak = { revision: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'revision_gap' };
export type ChainState = { state: 'checking' } | { state: 'intact' } | { state: 'broken'; breaksAt: ChainBreak };

/** Whether a stream's hash chain, recomputed by the server, holds; where it breaks and why when it does not. */
export const ChainBadge = ({ chain }: { chain: ChainState }) => {
  const { t } = useI18n();
  if (chain.state === 'checking') return <span className="badge badge-pending">{t('chain.checking')}</span>;
  if (chain.state === 'intact')
    return (
      <span className="badge badge-intact" data-chain="intact">
        <span aria-hidden="true">✓ </span>
        {t('chain.intact')}
      </span>
    );
  return (
    <span className="badge badge-broken" data-chain="broken" data-revision={chain.breaksAt.revision}>
      <span aria-hidden="true">✗ </span>
      {t('chain.broken', { revision: chain.breaksAt.revision, reason: t(`chain.reason.${chain.breaksAt.reason}`) })}
    </span>
  );
};
