import { z } from 'zod';
import { compactForm } from './claimText.js';

/**
 * What the false-claim detector looks for, as policy data the compliance office can extend: the
 * words it knows, by the part each plays in a claim, the phrases that are claims on their own,
 * and the structures that join words into a claim. Every verdict names the policy revision that
 * held the lexicon it used.
 *
 * The categories are those a reviewer of security-vendor sales language looks for, after China's
 * Advertising Law (article 9: 国家级, 最高级, 最佳; article 28: false or misleading claims), the
 * Anti-Unfair Competition Law's ban on false commercial publicity, and the "no promissory or
 * exaggerated claims" standard of English-language regulators.
 */

export const ClaimCategory = z.enum(['superlative', 'absolute', 'guarantee']);
export type ClaimCategory = z.infer<typeof ClaimCategory>;

/** The words of the lexicon, by the part each plays. The detector gives each part its meaning; the lists say which words play it. */
export const TERM_CLASSES = [
  /** Superlatives and exclusivity that make a claim only about a product or an outcome: 第一, 最好, 唯一, best, the only. */
  'superlatives',
  /** What a superlative is about: 防火墙, 方案, 厂商, firewall, vendor, protection. */
  'subjects',
  /** Absolute adverbs and figures: 100%, 百分之百, 绝对, 彻底, always, completely. */
  'absolutes',
  /** Quantifiers of totality, which claim something only over threats: 所有, 一切, 任何, all, every, any. */
  'totality',
  /** What totality ranges over in a claim: 攻击, 勒索软件, 威胁, attacks, malware, threats. */
  'threats',
  /** Words that deny and are absolute at once: 永不, 绝不, 零, never, zero, nothing, not one. */
  'negatedAbsolutes',
  /** Words that call something impossible: 无法, 不可能, 不会, cannot, impossible. */
  'impossibility',
  /** Words that deny: 不, 没有, 并非, not, no, don't, who can (asked). */
  'negations',
  /** Verbs that guarantee: 保证, 确保, 承诺, 包您, guarantee, ensure, promise. */
  'guarantees',
  /** Reassurance that something bad will not happen, a guarantee with its denial inside: 不用担心, never worry about. */
  'reassurances',
  /** Good outcomes for the customer's security, a seller cannot control: 安全, 拦截, 防住, 通过测评, 合规, secure, block, compliant. */
  'protections',
  /** Bad outcomes: 攻破, 泄露, 宕机, 被攻击, breached, hacked, leak, downtime. */
  'breaches',
  /** Outcomes a service level states as a figure, which the catalog may back: 可用性, availability, uptime. */
  'availability',
  /** Words that soften a claim into an honest one: 大多数, 接近, 帮助, most, nearly, helps. */
  'hedges',
  /** Words that put a claim in someone else's mouth: 宣称, 号称, 所谓, claims, so-called. */
  'attributions',
  /** Words that refute a quoted claim: 不科学, 误导, 夸大, misleading, myth, overselling. */
  'refutations',
  /** Words that start a new clause, ending the reach of a denial before them: 但, 不过, but, however. */
  'contrasts',
  /** Words that open a conceding clause, whose denials do not reach the main clause: 虽然, although, while. */
  'concessives',
  /** First-person words, so that "we claim" is not taken for someone else's claim: 我们, we. */
  'firstPerson',
  /** Phrases that look like claims and are not: 第一时间, 最佳实践, 零信任, 保证金, best practice, zero trust, first line of defense. */
  'benign',
] as const;
export const TermClass = z.enum(TERM_CLASSES);
export type TermClass = z.infer<typeof TermClass>;

/** Beyond any real lexicon: the bounds keep every check cheap whatever a revision holds. */
export const LEXICON_TERM_MAX_CHARS = 60;
export const LEXICON_TERMS_MAX = 1000;
export const LEXICON_STRUCTURES_MAX = 20;
export const STRUCTURE_WINDOW_MAX = 30;

const Term = z.string().min(1).max(LEXICON_TERM_MAX_CHARS);
const TermList = z.array(Term).max(LEXICON_TERMS_MAX);

export const ClaimPhrase = z.object({ phrase: Term, category: ClaimCategory }).strict();
export type ClaimPhrase = z.infer<typeof ClaimPhrase>;

/**
 * Words of the trigger classes joined to a word of the head classes within `window` words, in one
 * clause. `joined`: a claim when nothing denies it (a superlative and its subject). `polar`: a
 * claim when what is asserted comes out as certain protection once denials are counted (a bad
 * outcome denied, or a good one not denied), so "nothing gets through" is a claim and "no
 * system is 100% secure" is not.
 */
export const ClaimStructure = z
  .object({
    id: z.string().min(1).max(20),
    name: z.string().min(1).max(200),
    category: ClaimCategory,
    kind: z.enum(['joined', 'polar']),
    triggers: z.array(TermClass).min(1),
    heads: z.array(TermClass).min(1),
    window: z.number().int().min(1).max(STRUCTURE_WINDOW_MAX),
  })
  .strict();
export type ClaimStructure = z.infer<typeof ClaimStructure>;

export const ClaimLexicon = z
  .object({
    phrases: z.array(ClaimPhrase).max(LEXICON_TERMS_MAX),
    terms: z.object(Object.fromEntries(TERM_CLASSES.map((termClass) => [termClass, TermList])) as Record<TermClass, typeof TermList>).strict(),
    structures: z.array(ClaimStructure).max(LEXICON_STRUCTURES_MAX),
  })
  .strict();
export type ClaimLexicon = z.infer<typeof ClaimLexicon>;

export type LexiconProblem = { readonly detail: string; readonly path: (string | number)[] };

/** Entries that would match nothing (only spaces or punctuation once normalised), and structures named twice. */
export const lexiconProblems = (lexicon: ClaimLexicon): LexiconProblem[] => [
  ...lexicon.phrases.flatMap(({ phrase }, index) =>
    compactForm(phrase) ? [] : [{ detail: `Phrase ${index + 1} has no letters, digits or characters once normalised`, path: ['phrases', index, 'phrase'] }],
  ),
  ...TERM_CLASSES.flatMap((termClass) =>
    lexicon.terms[termClass].flatMap((term, index) =>
      compactForm(term) ? [] : [{ detail: `The ${termClass} term "${term}" has no letters, digits or characters once normalised`, path: ['terms', termClass, index] }],
    ),
  ),
  ...lexicon.structures.flatMap(({ id }, index) =>
    lexicon.structures.findIndex((structure) => structure.id === id) === index ? [] : [{ detail: `Structure ${id} is named twice`, path: ['structures', index, 'id'] }],
  ),
];

const words = (text: string) => text.split('|');

/**
 * The lexicon of the embedded default: written for a cybersecurity vendor's sellers (firewalls,
 * EDR, SOC, 等保, 数据防泄漏) in Chinese and English. Entries are written plainly; the detector
 * folds width, case, script and spacing, so each is written once.
 */
export const DEFAULT_CLAIM_LEXICON: ClaimLexicon = {
  phrases: [
    ...words(
      '最强|最安全|最先进|最领先|最顶级|最高级|最优秀|最专业|最可靠|最权威|最牛|全网最|遥遥领先|首屈一指|独一无二|无与伦比|绝无仅有|史无前例|无人能及|无可匹敌|行业第一|业内第一|业界第一|全国第一|全球第一|中国第一|国内第一|排名第一|销量第一|第一品牌|首家|唯一一家|唯一一款|唯一的厂商|业界领先|行业领先|业内领先|全球领先|国际领先|国内领先|世界领先|领导品牌|没有之一|行业领导者|领导者|首个通过|首款通过|首家通过|唯一通过|率先通过|no.1|#1|number one|world-class|world class|best-in-class|best in class|industry-leading|industry leading|market-leading|market leader|unmatched|unrivalled|unrivaled|unparalleled|unbeatable|second to none|bar none|top-tier|top tier|top-rated|top rated|top-notch|top-ranked|nobody beats|no one beats|undisputed leader|the leader in|clear leader|industry leader|no competitor|no rival|nobody comes close|no one comes close|no other vendor|no other product|like no other|most secure|most advanced|most accurate|most trusted|most powerful|strongest|safest|the world\'s first|industry\'s first|industry first|first and only|first-ever',
    ).map((phrase) => ({ phrase, category: 'superlative' as const })),
    ...words(
      '万无一失|无懈可击|坚不可摧|固若金汤|滴水不漏|铜墙铁壁|百毒不侵|刀枪不入|牢不可破|天衣无缝|高枕无忧|无从下手|零风险|无风险|零漏洞|无漏洞|零隐患|零缺陷|零误报|零漏报|零泄露|零事故|绝对安全|永久安全|安全无忧|unhackable|un-hackable|impenetrable|invulnerable|impregnable|unbreakable|uncrackable|unbreachable|bulletproof|hack-proof|hackproof|hacker-proof|breach-proof|attack-proof|ransomware-proof|malware-proof|virus-proof|phishing-proof|leak-proof|intrusion-proof|zero risk|risk-free|risk free|zero vulnerabilities|zero-vulnerability|zero false positives|impossible to hack|foolproof|fail-safe protection|airtight security|ironclad security|total immunity|immune to all',
    ).map((phrase) => ({ phrase, category: 'absolute' as const })),
    ...words('包过|包通过|保过|稳过|一定能过|必过|money-back guarantee of compliance|guaranteed compliance|guaranteed pass').map((phrase) => ({ phrase, category: 'guarantee' as const })),
  ],
  terms: {
    superlatives: words(
      'the most|最好|最佳|最优|最大的|最快|最全|最准|最高|第一|唯一|首个|首款|首创|顶级|顶尖|领先|国家级|世界级|冠军|王牌|天花板|best|the best|the only|the first|leading|the leading|a leading|biggest|largest|fastest|finest|greatest|ultimate|unique|number 1|no 1',
    ),
    subjects: words(
      '产品|方案|解决方案|平台|系统|防火墙|引擎|团队|服务|厂商|公司|企业|品牌|供应商|服务商|防护|安全|技术|能力|性能|效果|选择|架构|网关|终端|检测|检出率|态势感知|威胁情报|防御|edr|xdr|mdr|soc|waf|dlp|siem|ips|ids|ngfw|product|products|solution|solutions|platform|system|firewall|firewalls|engine|team|service|services|vendor|vendors|provider|company|brand|protection|security|technology|detection|defense|defence|choice|gateway|appliance|analysts|feed|intel|tool|tools|endpoint protection|email gateway',
    ),
    absolutes: words('100%|百分之百|百分之一百|百分百|十足|绝对|完全|彻底|永远|永久|始终|一定|必定|必然|肯定|全面杜绝|100 percent|one hundred percent|absolutely|completely|totally|entirely|fully|always|forever|permanently|definitely|certainly|perfectly'),
    totality: words('所有|一切|全部|任何|任意|每一个|每一次|每一种|all|every|any|each and every|everything|anything|every single|all known'),
    threats: words(
      '攻击|威胁|病毒|木马|勒索软件|勒索病毒|勒索|恶意软件|恶意代码|恶意流量|漏洞利用|入侵|钓鱼|钓鱼邮件|黑客|零日|后门|蠕虫|挖矿|僵尸网络|ddos|apt|风险|漏洞|泄露|攻击者|attack|attacks|threat|threats|virus|viruses|malware|ransomware|trojan|trojans|exploit|exploits|intrusion|intrusions|phishing|hacker|hackers|attacker|attackers|backdoor|backdoors|worm|worms|botnet|risk|risks|breach|breaches|vulnerability|vulnerabilities|malicious packet|malicious traffic|intruder|intruders|threat actor',
    ),
    negatedAbsolutes: words(
      '永不|永远不会|永远不|绝不|绝不会|绝对不会|决不|从不|从来不|从未|再也不会|再也不|一点都不|一点也不|丝毫不|毫不|一个都不|一个也不|一个字节都不|一次都不|没有任何|没有一个|零|never|never again|nothing|no one|nobody|none|zero|not one|not a single|not even one|there\'s no way|there is no way|no way|no attack|no attacker|no threat|no virus|no malware|no ransomware|no hacker|no data|no intruder|no breach',
    ),
    impossibility: words('无法|不可能|不会|不能|没法|没有办法|绝无可能|cannot|can\'t|can not|won\'t|will not|impossible|unable|could not|couldn\'t'),
    negations: words('不|没|没有|不存在|并不存在|并非|并不|非|而不是|而非|谁能|谁敢|谁也|not|no|don\'t|do not|doesn\'t|does not|isn\'t|is not|aren\'t|are not|wasn\'t|weren\'t|didn\'t|neither|nor|without|rather than|not to|who can|who could|who dares|who would'),
    guarantees: words('保证|确保|承诺|担保|保障|包您|包你|保准|打包票|放心|guarantee|guarantees|guaranteed|guaranteeing|ensure|ensures|ensuring|promise|promises|promising|assure|assures|rest assured|warrant|commit to|commits to|make sure|we\'ll make sure'),
    reassurances: words('不用担心|无需担心|不必担心|不用怕|别担心|再也不用担心|don\'t worry about|do not worry about|never worry about|no need to worry about|never have to worry about|never need to worry about|never worry|don\'t worry'),
    protections: words(
      '安全|防护|防御|防住|防范|防止|拦截|阻断|阻止|挡住|抵御|检测|检测到|识别|发现|查杀|清除|杜绝|消除|保护|免受|逃不过|无处遁形|合规|通过|能过|过审|过检|通过测评|通过等保|检出率|secure|safe|safety|protect|protects|protected|protection|block|blocks|blocked|blocking|stop|stops|stopped|prevent|prevents|prevented|defend|defends|detect|detects|detected|detection|catch|catches|caught|find|finds|uncover|uncovers|spot|spots|kill|kills|eliminate|eliminates|neutralize|neutralizes|immune|compliant|compliance|pass|passes|passed|audit pass|clean audit|pass the audit|通过审计|审计通过|security',
    ),
    breaches: words(
      '攻破|被攻破|入侵|被入侵|被攻击|遭受攻击|遭受|绕过|被绕过|突破|泄露|外泄|泄漏|泄密|丢失|中毒|中勒索病毒|中勒索软件|中勒索|中病毒|中木马|感染|被勒索|中招|被黑|宕机|中断|漏报|误报|失守|渗透|窃取|篡改|被篡改|处罚|罚款|被罚|失分|安全事件|事件|事故|安全问题|隐患|逃过|hacked|breached|compromised|penetrated|bypassed|bypass|get through|gets through|get past|gets past|slip through|slips through|break in|break into|breaks into|infected|hit|get hit|be hit|affected|leak|leaks|leaked|leakage|lost|stolen|go down|goes down|down|downtime|outage|outages|fined|penalized|fail|fails|missed|miss|misses|escape|escapes|evade|evades|defaced|touch|touches|affect|affects|suffer|suffers|incident|incidents|breach|breaches|attacked|be attacked|false positives|points lost',
    ),
    availability: words('可用性|可用率|在线率|服务可用性|availability|uptime'),
    hedges: words('几乎|接近|近乎|将近|大多数|绝大多数|大部分|绝大部分|多数|部分|尽量|尽可能|尽力|帮助|协助|有助于|助力|力争|力求|致力于|降低|减少|almost|nearly|near|close to|most|mostly|majority|the vast majority|help|helps|helping|aim|aims|strive|try|tries|reduce|reduces|lower|lowers|minimize|minimise|up to'),
    attributions: words('宣称|声称|号称|自称|标榜|所谓|说自己|吹嘘|claim|claims|claiming|so-called|call themselves|calls itself|say they\'re|say they are|says it is|boast|boasts|advertise|advertises|promising'),
    refutations: words('不科学|不现实|不可信|不存在|夸大|误导|虚假|谎言|噱头|不实|骗人|忽悠|违法|违规|禁止|不得|misleading|myth|overselling|oversell|not credible|aren\'t credible|isn\'t credible|doesn\'t exist|does not exist|no honest|hype|unrealistic|false|beware|nonsense|snake oil|prohibited|banned'),
    contrasts: words('但|但是|不过|然而|可是|而是|却|其实|but|yet|instead|whereas'),
    concessives: words('虽然|尽管|即使|即便|哪怕|although|though|while|even though|even if'),
    firstPerson: words('我们|我司|我方|本公司|咱们|we|we\'re|we are|our|us'),
    benign: words(
      '第一时间|第一年|第一步|第一次|第一期|第一批|第一阶段|第一个月|第一天|第一周|第一季度|第一章|第一条|第一线|第一道防线|我们第一款|我们的第一款|我们第一个|我们的第一个|我们首款|我们的首款|最佳实践|最好在|最好先|最好是|最新|最近|最后|最终|最初|最早|最晚|最多|最少|最低|最大并发|最大吞吐|最高支持|最大支持|最长|零信任|零日|零售|零部件|零配件|唯一标识|唯一的序列号|保证金|保障措施|承诺书|再好的|不仅|不只|不止|不但|不光|不断|不少|不同|不错|不久|不定期|不间断|不限|不停|全方位|一定程度|best practice|best practices|best effort|best-effort|best regards|to the best of|the best way|first line of defense|first line of defence|first thing|first year|first step|first time|first phase|at first|the first year|the first step|the first time|zero trust|zero-trust|zero day|zero-day|always-on|always on|not only|not just|leading to|a leading cause|bid bond|only if|only when|only takes|only for|unique serial|unique id|no problem',
    ),
  },
  structures: [
    {
      id: 'SUP-1',
      name: 'A superlative or exclusive word joined to a product, vendor or outcome',
      category: 'superlative',
      kind: 'joined',
      triggers: ['superlatives'],
      heads: ['subjects'],
      window: 8,
    },
    {
      id: 'ABS-1',
      name: 'An absolute adverb, a figure of 100% or a quantifier of totality over threats, joined to a security outcome',
      category: 'absolute',
      kind: 'polar',
      triggers: ['absolutes', 'totality', 'negatedAbsolutes'],
      heads: ['protections', 'breaches'],
      window: 10,
    },
    {
      id: 'ABS-2',
      name: 'A breach or an outage said to be impossible',
      category: 'absolute',
      kind: 'polar',
      triggers: ['impossibility'],
      heads: ['breaches'],
      window: 6,
    },
    {
      id: 'GUA-1',
      name: 'A guarantee of a security or compliance outcome the seller cannot control',
      category: 'guarantee',
      kind: 'polar',
      triggers: ['guarantees', 'reassurances'],
      heads: ['protections', 'breaches', 'availability'],
      window: 14,
    },
  ],
};
