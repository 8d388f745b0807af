/**
 * What one sentence does: gives an order (imperative), asks (request, question), describes the
 * task or the material given (task), introduces what follows (lead-in), heads a list without a
 * verb (heading: "Requirements for the function:"), or only states
 * something (statement). Part-of-speech tags come from wink-nlp; the phrase patterns below are
 * general English request forms, not words taken from any one data set.
 */
import { tagSentences, type TaggedToken } from './nlp.ts';

export type SentenceKind = 'imperative' | 'request' | 'question' | 'task' | 'lead-in' | 'heading' | 'statement';

const REQUEST = [
  /\bplease\b/,
  /\b(can|could|would|will) you\b/,
  // "I want you to …" asks the model; "I want to start journaling" is the writer's own plan,
  // except wanting to learn something from the answer ("I'd like to know whether …").
  /\b(i|we)(?: want| would like| need| wish| expect|'d like) you to\b/,
  /\b(i|we)(?: just| really| only| also| mainly| mostly)?(?: want| would like| would love| need|'d like|'d love) to (know|understand|find out|learn whether|ask|hear)\b/,
  /\b(i|we)('d| would) (appreciate|love|like)\b(?! to\b)/,
  // The writer's own text to write or words to say, which the answer is to be ("I need to write a toast …", "I want to say yes but push back …").
  /(?:^|\band )(i|we)( really| still| also| now)? (need|want|'d like|would like) to (write|draft|rewrite|edit|reply|respond|answer|say|tell|explain|announce|word|phrase|pitch|present|prepare|put together|create|plan|design|come up with|figure out|decide|choose|pick)\b/,
  /\b(i|we) need\b(?! to\b)/,
  // A task the writer was given, which the answer is to do: "I've been asked to give a 10-minute talk about …".
  /^(?:i've|i have|we've|we have) been asked to (?:write|give|prepare|present|draft|put together|create|plan|design|review|summari[sz]e)\b/,
  // … with the subject left out after "and": "I'm comparing two providers and need a recommendation by Monday."
  /^(?:i'm|i am|we're|we are)\b[^.?!]*\band (?:really |urgently )?need (?:a|an|some|help|advice|your)\b/,
  /\bhelp (me|us)\b/,
  // Wanting the reader's help, whatever the sentence tells besides ("I'm writing a talk and want help with the structure.").
  /\b(want|need|would like|'d like|could use|am looking for|'m looking for)( some| a little| a bit of| your)? (help|advice|ideas|suggestions|feedback|tips|input|guidance|recommendations)\b/,
  /^let'?s\b/,
  /\b(it )?would be (great|appreciated|helpful|nice|wonderful)\b/,
  /\b(make|be) sure\b/,
  /\bdon'?t forget\b/,
];

const TASK = [
  // The reader is told what they get or must do.
  /\byou (are|were|will be|'re|have been|'ve been|get) (given|provided|asked|presented|shown|tasked|supplied)\b/,
  /\byou('ll| will| should| must| need to| have to| are to| are going to| may| can| could| might want to)\b/,
  /\byour (task|job|goal|aim|mission|answer|response|reply|output|help|role)\b/,
  // Pointing at what follows or precedes ("Here is an excerpt", "Below are the rules").
  /^(here|below|above) (is|are)\b/,
  /\bit is up to you\b/,
  // A requirement on the result.
  /\b(should|must|has to|have to|needs to|need to|is required to|are required to)\b/,
  // Pointing at the material: "the given email", "the following table", "the text below".
  /\b(the|this|these) (given|following|provided|above|below|attached)\b/,
  /\b(given|provided|shown) (below|above)\b/,
  /\bthe \w+ (below|above)\b/,
];

/** Words that may precede the verb of an imperative ("Please write", "Then list", "Also, mention"). */
export const LEADING_POS = new Set(['PUNCT', 'SYM', 'INTJ', 'CCONJ', 'ADV', 'PART', 'X']);

/** A participle ("using", "based"), not a verb that only ends like one ("bring", "need", "shed"). */
function looksParticiple(word: string): boolean {
  const m = /^(.*?)(ing|ed)$/.exec(word);
  return !!m && /[aeiouy]/.test(m[1]) && !/eed$/.test(word);
}

function isBaseVerb(t: TaggedToken | undefined): boolean {
  // The lemmas are American ("summarise" → "summarize", "analyse" → "analyze"): a British base form is one too.
  return !!t && t.pos === 'VERB' && (t.lower === t.lemma || t.lower.replace(/ise$/, 'ize').replace(/yse$/, 'yze') === t.lemma) && !looksParticiple(t.lower);
}

/** The POS of `word` when read as the start of "please <word> …" (imperative context). */
function verbInRequestContext(text: string): boolean {
  const lowered = text.charAt(0).toLowerCase() + text.slice(1);
  const [first] = tagSentences(`please ${lowered}`);
  const [, word, after] = first?.tokens ?? [];
  // An adjective takes no determiner after it; a verb does ("please correct the spelling").
  if (word?.pos === 'ADJ' && after?.pos === 'DET' && !/(ing|ed)$/.test(word.lower)) return true;
  return isBaseVerb(word);
}

function isTitleCase(tokens: TaggedToken[]): boolean {
  const words = tokens.filter((t) => /^[A-Za-z]/.test(t.text) && t.text.length > 3);
  if (words.length < 2) return false;
  const caps = words.filter((t) => /^[A-Z]/.test(t.text)).length;
  return caps / words.length >= 0.75;
}

/** Index of the token where the main clause starts: after leading adverbs, "please", an introductory phrase and its comma. */
function clauseStarts(tokens: TaggedToken[]): number[] {
  const starts: number[] = [];
  let i = 0;
  // Bullets and numbering: "1.", "-", "a)".
  while (i < tokens.length && (LEADING_POS.has(tokens[i].pos) || tokens[i].pos === 'NUM' && /^[\d.)]+$/.test(tokens[i].text))) i++;
  starts.push(i);
  // An introductory phrase ("If you can, …", "Based on the query, …", "Whenever possible, …"):
  // the main clause starts after its first comma.
  const opener = tokens[i];
  if (opener && ['SCONJ', 'ADP', 'ADV', 'VERB', 'ADJ', 'DET'].includes(opener.pos)) {
    const comma = tokens.findIndex((t, k) => k > i && t.text === ',');
    // "The audience is mostly non-technical: sales, support, …" is a clause of its own, not an introduction.
    // Nor is "Last month I adopted a greyhound, Pepper, …": a subject and its finite verb before the comma.
    const finite = (opener.pos === 'DET' || opener.pos === 'ADJ') && tokens.slice(i, comma).some((t, j, head) => t.pos === 'AUX' || (t.pos === 'PRON' && head[j + 1]?.pos === 'VERB' && head[j + 1].lower !== head[j + 1].lemma));
    if (comma > 0 && comma < tokens.length - 1 && !finite) {
      let j = comma + 1;
      while (j < tokens.length && LEADING_POS.has(tokens[j].pos)) j++;
      starts.push(j);
    }
  }
  // An order drawn as a consequence: "None of us drink much, so skip the bar crawl."
  for (let k = i + 1; k < tokens.length - 2; k++) if (tokens[k].text === ',' && tokens[k + 1].lower === 'so' && tokens[k + 2].pos !== 'PRON') starts.push(k + 2);
  // … and a negative order after "so" without a comma: "our insurance doesn't cover it so don't suggest them".
  for (let k = i + 1; k < tokens.length - 3; k++) if (tokens[k].lower === 'so' && tokens[k + 1].lower === 'do' && /^(?:not|n't|n’t)$/.test(tokens[k + 2].lower)) starts.push(k + 1);
  return starts;
}

/**
 * Whether a finite verb follows the word at k in its clause ("Budget for the pilot remains
 * unchanged"): then that word heads the subject, not an order. The clause ends at a comma, a
 * pronoun or a word that opens a clause of its own ("that", "which", "if", …).
 */
function finiteVerbFollows(tokens: TaggedToken[], k: number): boolean {
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    // A relative clause inside the subject ("Support tickets that contain client data are retained …"): past its own verb, a plural "are" or "were" is the main verb.
    if (/^(that|which|who)$/.test(t.lower)) return relativeThenVerb(tokens, j);
    if (t.pos === 'PUNCT' || t.pos === 'PRON' || t.pos === 'SCONJ' || /^(that|which|who|whom|whose|where|when|while|because|if)$/.test(t.lower)) return false;
    if (/^(is|are|was|were|has|does)$/.test(t.lower)) return true;
    // A modal right after a noun phrase ("Route 4 will no longer run …", "Fares will remain unchanged").
    if (/^(will|would|can|could|should|must|may|might)$/.test(t.lower) && (tokens[j - 1].pos === 'NOUN' || tokens[j - 1].pos === 'PROPN' || tokens[j - 1].pos === 'NUM')) return true;
    // "have" after a plural subject ("… design and marketing have signed up"), not "to have".
    if (t.lower === 'have' && (tokens[j - 1].pos === 'NOUN' || tokens[j - 1].pos === 'PROPN')) return true;
    if (t.pos === 'VERB' && t.lower !== t.lemma && /[^s]s$/.test(t.lower)) return true;
  }
  return false;
}

function relativeThenVerb(tokens: TaggedToken[], j: number): boolean {
  const own = tokens.findIndex((t, i) => i > j && (t.pos === 'VERB' || t.pos === 'AUX'));
  if (own < 0) return false;
  for (let i = own + 1; i < tokens.length && tokens[i].pos !== 'PUNCT'; i++) if (/^(are|were)$/.test(tokens[i].lower)) return true;
  return false;
}

export function isImperative(text: string, tokens: TaggedToken[]): boolean {
  if (tokens.length === 0) return false;
  const last = tokens[tokens.length - 1];
  if (last.text !== '.' && last.text !== '!' && isTitleCase(tokens)) return false;
  for (const k of clauseStarts(tokens)) {
    const t = tokens[k];
    if (!t || !/^[A-Za-z]/.test(t.text)) continue;
    if (t.pos === 'PRON' || t.pos === 'DET' || t.pos === 'AUX' && t.lower !== 'do' && t.lower !== 'be') continue;
    // "Be brief", "Be polite to the customer": "be" opening a main clause is an order.
    if (t.lower === 'be' && tokens[k - 1]?.lower !== 'to' && tokens[k + 1] && (tokens[k + 1].pos === 'ADJ' || tokens[k + 1].pos === 'ADV' || tokens[k + 1].pos === 'DET')) return true;
    // A negative order: "Do not reveal …", "Don't guess".
    // (The verb may be tagged as an adjective or a noun: "Don't mock anything", "Do not paraphrase it".)
    if (t.lower === 'do' && /^(not|n't|n’t)$/.test(tokens[k + 1]?.lower ?? '') && tokens[k + 2] && (tokens[k + 2].pos === 'VERB' || tokens[k + 2].pos === 'AUX' || ((tokens[k + 2].pos === 'ADJ' || tokens[k + 2].pos === 'NOUN') && ['PRON', 'DET', 'ADV', 'ADP'].includes(tokens[k + 3]?.pos ?? '')))) return true;
    // A finite verb right after ("Documents allow …") means the first word was a subject.
    const next = tokens[k + 1];
    if (next && (next.pos === 'AUX' || next.pos === 'VERB' && next.lower !== next.lemma)) continue;
    // A noun the tagger reads as such, then a verb in its base form: a plural subject and its verb ("People give long updates").
    if (t.pos === 'NOUN' && next && next.pos === 'VERB' && !looksParticiple(next.lower)) continue;
    if (isBaseVerb(t)) return true;
    // A verb of operating on a text that the tagger reads as a name or a noun ("Refactor this …", "Proofread the letter"), before its object.
    if (OPERATE.has(t.lower) && (next?.pos === 'DET' || next?.pos === 'PRON')) return true;
    if (finiteVerbFollows(tokens, k)) continue;
    if (verbInRequestContext(text.slice(t.start - tokens[0].start))) return true;
  }
  return false;
}

/**
 * A heading before a colon: a noun phrase without a verb ("Requirements for the function:",
 * "Style guide for all answers:"), not a clause that introduces something ("Follow these steps:").
 */
function isHeading(tokens: TaggedToken[]): boolean {
  const first = tokens.find((t) => !LEADING_POS.has(t.pos));
  return !!first && (first.pos === 'NOUN' || first.pos === 'PROPN' || first.pos === 'ADJ') && !tokens.some((t) => t.pos === 'VERB' || t.pos === 'AUX');
}

/** A sentence whose subject is the reader ("You are an expert tutor.", "You review pull requests."): a role or a behaviour. */
function addressesReader(tokens: TaggedToken[]): boolean {
  return tokens[0]?.lower === 'you' && !!tokens[1] && (tokens[1].pos === 'VERB' || tokens[1].pos === 'AUX');
}

export function classifySentence(text: string, tokens: TaggedToken[]): SentenceKind {
  const trimmed = text.trim().replace(/["'”’)\]]+$/, '');
  const lower = plain(trimmed);
  if (trimmed.endsWith('?')) return 'question';
  // A question written without its mark, as in chat ("what do these lines mean and is it my side or theirs"): a question word, then a verb or a pronoun, and no sentence end.
  if (!/[.!:;]$/.test(trimmed) && !isTitleCase(tokens) && /^(?:what|why|how|where|when|which|who|is|are|do|does|did|can|could|should|would|will)\b/.test(lower) && ['AUX', 'VERB', 'PRON'].includes(tokens[1]?.pos ?? '')) return 'question';
  if (REQUEST.some((r) => r.test(lower))) return 'request';
  // A compound noun before a colon ("Company policy for employee travel:", "Style guide for all answers:"): a heading, though "please company …" reads as an order.
  if (trimmed.endsWith(':') && isHeading(tokens) && tokens[0].pos !== 'ADJ' && (tokens[1]?.pos === 'NOUN' || tokens[1]?.pos === 'PROPN')) return 'heading';
  if (thanks(tokens)) return 'statement';
  // The writer's doubt is an implicit question ("The presence part is what I can't figure out.", "I'm not sure it's legit.").
  if (IMPLICIT_QUESTION.test(lower)) return 'request';
  if (isImperative(text, tokens)) return 'imperative';
  // An obligation of the writer or of someone else ("we have to work together") is not one on the answer.
  const own = lower.replace(/\b(i|we|they|he|she)('d| would)?( really| also| still| just)? (should|must|has to|have to|need to|needs to)\b/g, '');
  if (TASK.some((r) => r.test(own)) || addressesReader(tokens)) return 'task';
  if (trimmed.endsWith(':')) return isHeading(tokens) ? 'heading' : 'lead-in';
  return 'statement';
}

/**
 * A limit, a requirement or a preference the answer must fit, stated rather than ordered ("We
 * don't own a microwave.", "I can run at most four days a week.", "Our budget is tight.", "I'd
 * rather not add more meetings."): general English expressions of inability, of what one lacks or
 * refuses, of bounds and budgets, and of preference. Past facts ("I didn't pre-boil the
 * noodles") are not limits.
 */
// Number words and units of time, money and amount, for quantity bounds written in words.
const NUMBER_WORDS = '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a hundred|half an?)';
const UNITS = '(?:minutes?|hours?|days?|nights?|weeks?|months?|years?|words?|pages?|sentences?|paragraphs?|people|persons|guests|meetings?|dollars|euros|pounds|bucks|miles|kilometres|kilometers|km|steps|items|slides|calories)';
// The time or money the writer has for it: "We have about $600 total.", "We'll have two days for the trip.", "This time I have ten minutes.", "Each of us has 150 euros." (not "I've had it for a year", "I have two kids").
const WRITER_BUDGET = new RegExp(`^(?:so |and |but |(?:this|next) (?:time|year|week|month|trip) |now |today )?(?:i|we|(?:each|all|both|either|one|two|three|four|most) of us)(?:'ll| will|'d| would)?(?: only| still| just)? (?:have|has|got|get|can (?:only )?(?:do|spend|manage|give|afford|set aside|put in))(?: only| just| about| around| roughly| maybe)* (?:(?:\\$|€|£) ?\\d|(?:\\d+|a couple of|a few|${NUMBER_WORDS}) (?:[a-z-]+ )?(?:minutes?|hours?|days?|nights?|evenings?|mornings?|afternoons?|weekends?|sessions?|weeks?|months?|dollars|euros|pounds|bucks)\\b)`);

/** Whether a statement gives the time or money the writer has, whatever opens it ("This year we have two days …"). */
export function statesBudget(text: string): boolean {
  const lower = plain(text).trim();
  // A budget or a bound as the subject: "Budget is max 60 euro per person.", "The limit is 2,500 words", "Our max is $420k."
  return WRITER_BUDGET.test(lower) || /^(?:the |our |my |total |word |page |time )?(?:budget|limit|max|maximum|cap|deadline) (?:is|of|for)\b/.test(lower);
}

// What the writer lacks or does not do ("We don't own a car."): a limit next to a request, a fact elsewhere ("I'm 27 and don't have kids.").
const LACKS = /\b(don'?t|doesn'?t|do not|does not)( really| even)? (want|have|own|eat|drink|mind|like|need|use|speak|know how)\b/;

// Diets and intolerances: a limit on what the answer may offer, whoever has them.
const DIETS = 'allergic|vegetarian|vegan|pescatarian|gluten-free|intolerant|celiac|coeliac|diabetic';

/** Lower case with typographic apostrophes made plain ("don’t" → "don't"), as the patterns are written. */
function plain(text: string): string {
  return text.toLowerCase().replace(/’/g, "'");
}

const CONSTRAINT = [
  /\b(can'?t|cannot|can not|unable to|not able to|won'?t be able to)\b/,
  LACKS,
  /\b('re|'m|are|am|is) not (into|a fan|comfortable|allowed|handy|technical)\b/,
  /\b(at most|at least|no more than|no longer than|maximum|minimum|budget|afford|limit(?:s|ed)?)\b/,
  // "up to 30 minutes", not "a follow-up to a client", nor progress made ("i'm up to 5k three times a week").
  /(?:^|\s)(?<!\b(?:i'm|i am|we're|we are|he's|she's|they're|it's) )up to\b/,
  /\b(under|within|less than|fewer than|below) (\$|€|£)?\d/,
  // An upper bound after the amount: "an hour or less", "five items or fewer", "$20 or under".
  /\bor (?:less|fewer|under|below|shorter|cheaper)\b/,
  // A quantity bound in words: "under two hours", "more than a couple of extra hours a month", "fewer than three meetings".
  new RegExp(`\\b(?:under|less than|fewer than|more than|no more than) (?:a couple of |a few |${NUMBER_WORDS} )(?:[a-z-]+ ){0,2}?(?:${UNITS})\\b`),
  // The time or money the writer has for it (see WRITER_BUDGET).
  WRITER_BUDGET,
  /\bonly (help|use|have|work|run|study|train|spend|do|eat|go|travel|afford)\b/,
  // A rule the answer must keep: "Our policy is that we never promise a date.", "our style guide says no questions in headlines" (not "my contract says …", a fact).
  /\b(?:policy|policies|style guide|guidelines|template|process) (?:is|are|requires?|says|states|allows?|forbids?|prohibits?)\b/,
  // What the writer has to keep to: "We have to stay on GitHub-hosted runners.", "I must stick to the standard library." (not "We have to write a function", a task).
  /\b(?:i|we) (?:still |just )?(?:have to|must|need to) (?:stay|keep|stick|remain|use only|work within|run on)\b/,
  // A condition or an obligation on the answer: "I'm only interested if the equity is real", "We're required to keep Node 18".
  /\b(?:only|not) interested (?:in|if)\b|\b(?:'re|are|'m|am) (?:required|obliged|not allowed|only allowed) to\b/,
  new RegExp(`\\b(?:prefer|rather|avoid|${DIETS})\\b`),
  /\b(i|we)( really| both| all)? (love|enjoy|hate|dislike)\b/,
  // What the writer wants the result to be ("We want something low-maintenance."), not their plan ("I want to …", "I want her to …") or an order ("I want you to …").
  // Keeping something as it is or within a bound: "I want to keep the relationship good.", "I'd like to keep using only the standard library."
  /\b(i|we)( really| both| all| just| also| still)?(?: want|'d like| would like|'d prefer| would prefer) to (?:keep|stick|stay|avoid)\b/,
  /\b(i|we)( really| both| all| just| only)? want (?:a|an|some|something|nothing|anything|more|less|fewer|no|the|it|this|that|these|those|lots|plenty)\b/,
];

/** A person's taste the answer is to fit, the subject a pronoun or a determiner and a noun: "She loves gardening.", "The kids love castles.", "My son enjoys chess." */
export function statesTaste(text: string): boolean {
  return /^(?:he|she|they|(?:the|my|our) [a-z]+)( really| both| all)? (loves?|enjoys?)\b/.test(text.toLowerCase().trim());
}

// An inability, a diet or an intolerance, or nobody eating something.
const NEED = new RegExp(`\\b(?:can'?t|cannot|can not|unable to|not able to)\\b|\\b(?:${DIETS}|kosher|halal|carsick|seasick|airsick|motion sick)\\b|^(?:nobody|no one|none of [a-z]+)\\b.*\\b(?:eats?|drinks?)\\b`);

/**
 * What someone the answer is for cannot do or eat ("He can't manage stairs.", "Two guests are vegan
 * and one can't have gluten."): an inability or a diet, whoever the subject.
 */
export function statesNeed(text: string): boolean {
  // In the main clause: not "… whenever someone rings we can't calm her down", "… if we suggest she can't manage".
  const main = plain(text).split(/,|;|\b(?:but|if|when|whenever|because|so|that|although|though)\b/)[0];
  return NEED.test(main);
}

/** A bound that is the sentence's subject ("Fewer than 45 hours a week is non-negotiable for me."): an amount with its unit. */
export function opensWithBound(text: string): boolean {
  return BOUND_FIRST.test(text.toLowerCase().trim());
}

const BOUND_FIRST = new RegExp(`^(?:fewer than|less than|no more than|more than|at most|at least|under|up to|max(?:imum)?|min(?:imum)?) (?:(?:\\$|€|£) ?\\d|(?:\\d+|${NUMBER_WORDS}) (?:[a-z-]+ )?${UNITS}\\b)`);

/** A consequence the writer draws as a limit: a clause "so I/we …" stating one ("She's not big on crowds, so we're thinking 15 people at most."). */
export function concludesLimit(text: string): boolean {
  const lower = plain(text);
  // "…, so nothing about drinking", "…, so only things outside of it", "…, so a dog that sheds is out".
  if (/(?:^|[,;]? )so (?:nothing|no|only|never)\b|(?:^|[,;]? )so\b[^,;]*\b(?:is|are) (?:out|off the table|not an option)\b/.test(lower)) return true;
  // Someone's rule drawn as the consequence: "…, so my endocrinologist has to sign off on anything …", "…, so my physio has banned deadlifts".
  if (/[,;] so (?:my|our|the|his|her|their) [a-z]+ (?:has to|have to|must|needs to|has banned|has ruled out|won't allow|doesn't allow)\b/.test(lower)) return true;
  const m = /(?:^|[,;] )so (?:this time |now )?((?:i|we)\b[^,;]*)/.exec(lower);
  return !!m && statesConstraint(m[1]);
}

/** Whether a statement states a limit, a requirement or a preference (see CONSTRAINT). */
export function statesConstraint(text: string, lacks = true): boolean {
  const lower = plain(text);
  return CONSTRAINT.some((r) => (lacks || r !== LACKS) && r.test(lower));
}

// The writer (or their people) as the subject: "I …", "We …", "My daughter …", "Our website …".
const FIRST_PERSON = new Set(['i', 'we', 'my', 'our', 'me', 'us', 'mine', 'ours']);

/** A statement about the writer's own situation: its first word (after conjunctions and adverbs) is a first-person pronoun or possessive. */
export function aboutWriter(tokens: TaggedToken[]): boolean {
  const first = tokens.find((t) => !LEADING_POS.has(t.pos) && t.pos !== 'ADP' && t.pos !== 'NUM');
  // The tagger keeps "I'm" and "we've" as one token.
  return !!first && FIRST_PERSON.has(first.lower.replace(/['’].*$/, ''));
}

/**
 * Verbs whose object is an existing text and whose result is that text changed, condensed,
 * labelled, judged or mined: the task operates on the material (rewrite it, translate it,
 * summarize it, classify it, extract from it, check it, solve it, read it). Their opposite is a
 * task that produces something new from a specification (write a story about the topic, name
 * the product, plan the trip), where the given material is part of what to do. A general class
 * of English task verbs, not words taken from any one data set.
 */
const OPERATE = new Set([
  // transform or edit
  'rewrite', 'rephrase', 'paraphrase', 'reword', 'edit', 'revise', 'proofread', 'correct', 'fix', 'shorten', 'simplify', 'polish', 'refactor',
  'reformat', 'convert', 'transform', 'translate', 'transliterate', 'transcribe', 'modify', 'change', 'improve', 'expand', 'adapt',
  // condense
  'summarize', 'summarise', 'condense', 'abridge',
  // label, sort, judge
  'classify', 'categorize', 'categorise', 'label', 'tag', 'sort', 'rank', 'rate', 'grade', 'score', 'evaluate', 'assess', 'review',
  'critique', 'judge', 'check', 'verify', 'validate', 'compare', 'analyze', 'analyse', 'annotate', 'parse',
  // mine
  'extract', 'retrieve', 'detect',
  // read, solve
  'read', 'solve', 'debug',
  // respond to it
  'reply', 'respond', 'answer',
]);

/** Verbs of judgement, when followed by "whether" or "if" ("decide whether it is offensive"). */
const JUDGE = new Set(['decide', 'determine', 'tell', 'say', 'indicate', 'find']);

function stems(t: TaggedToken): string[] {
  const w = t.lower;
  const out = [t.lemma, w];
  for (const suffix of ['es', 's', 'd']) if (w.endsWith(suffix)) out.push(w.slice(0, -suffix.length));
  return out;
}

/**
 * Whether the sentence orders an operation on given material (see OPERATE): such a verb heading
 * a clause, i.e. the order itself ("Rewrite …", "Then, classify …"), a verb after "to" or an
 * auxiliary ("you should decide whether", "are required to convert", "must be classified"), or
 * one joined to another order ("Identify and fix …"). Not a gerund in a modifier ("a hack for
 * improving the flavor").
 */
export function operatesOn(tokens: TaggedToken[]): boolean {
  return tokens.some((t, k) => {
    if (!headsClause(tokens, k)) return false;
    if (stems(t).some((w) => OPERATE.has(w))) return true;
    const next = tokens[k + 1]?.lower;
    return (next === 'whether' || next === 'if') && stems(t).some((w) => JUDGE.has(w));
  });
}

// Verbs of answering a message: its questions are then the model's to answer.
const REPLY = new Set(['reply', 'respond', 'answer']);

// After a verb of answering, words that give the answer's form, not its addressee ("Reply with the category only").
const FORM_AFTER = new Set(['with', 'in', 'only', 'using', 'as']);

/**
 * Whether the sentence orders to answer the given material ("Answer politely …", "Reply to the
 * customer"), not only the answer's form ("Reply with the category only"): see operatesOn.
 */
export function ordersReply(tokens: TaggedToken[]): boolean {
  return tokens.some((t, k) => headsClause(tokens, k) && stems(t).some((w) => REPLY.has(w)) && !FORM_AFTER.has(tokens[k + 1]?.lower ?? ''));
}

/**
 * Whether token k heads a clause: first, after bullets, adverbs or conjunctions, after "to" or an
 * auxiliary; not a gerund, except the gerund that gives an order's means ("Make the article
 * available in a second language by translating it").
 */
function headsClause(tokens: TaggedToken[], k: number): boolean {
  const prev = tokens[k - 1];
  if (prev?.lower === 'by' && tokens[k].lower.endsWith('ing')) return true;
  // After a possessive it is a noun ("Rate the agent's reply"), not a verb heading a clause.
  if (prev && /^['’]s$/.test(prev.text)) return false;
  return (k === 0 || LEADING_POS.has(prev.pos) || prev.lower === 'to' || prev.pos === 'AUX') && !tokens[k].lower.endsWith('ing');
}

/** A sentence of greetings, thanks and punctuation only ("thanks!!", "Hi,"): not even context. */
/** Thanks, with an intensifier or in advance: "Thank you so much!", "Thanks a lot.", "Thanks in advance!" — no order to thank. */
function thanks(tokens: TaggedToken[]): boolean {
  const words = tokens.filter((t) => t.pos !== 'PUNCT').map((t) => t.lower).join(' ');
  return /^(?:thanks|thank you)(?: (?:so|very) much| a lot| a ton| in advance| again)?$/.test(words);
}

export function isFiller(s: { tokens: TaggedToken[] }): boolean {
  if (thanks(s.tokens)) return true;
  return s.tokens.every((t) => t.pos === 'INTJ' || t.pos === 'PUNCT' || t.pos === 'SYM' || /^(thanks?|thx|cheers|hi|hello|hey|ok|okay)$/.test(t.lower));
}

// The writer's doubt about what follows: an implicit question ("I'm not sure what it means").
// The writer's doubt about something, an implicit question: "I don't understand why …", "I'm not sure whether …", "… what I can't figure out." (not "I don't know him well").
const IMPLICIT_QUESTION = /\b(?:i|we)(?:'m| am|'re| are)? (?:still |really |just )?(?:not sure|unsure|confused|wondering|can'?t tell|don'?t (?:understand|know|get))(?: about| by)? (?:if|whether|why|what|how|when|where|which|who)\b|\b(?:i|we) (?:still |really |just )?can'?t (?:figure|work) out\b|\b(?:i'm|i am|we're|we are) (?:still |just )?trying to (?:figure out|work out|understand|find out)\b|(?:^|[,;] )(?:but |and )?(?:not sure|no idea) (?:if|whether|why|what|how)\b|^(?:i'm|i am|we're|we are) (?:a bit |a little |really |quite )?(?:worried|concerned|afraid) (?:that|it|this|about|she|he|they)\b|\b(?:i'm|i am|we're|we are) (?:so |really |totally |a bit |a little |honestly )?confused\b/;

export const DOUBT = /\b(?:not sure|unsure|confused|can'?t tell|can'?t figure out|can'?t work out|don'?t (?:understand|know|get))\b/i;

export function isInstructionKind(kind: SentenceKind): boolean {
  return kind !== 'statement' && kind !== 'heading';
}
