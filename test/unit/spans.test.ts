/**
 * Instruction-span detection (issue 5): small hand-written cases, and the agreement with the
 * paper's human annotations of the Self-Instruct prompts (character-level, whitespace excluded,
 * micro-averaged) next to the two trivial baselines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Span } from '../../src/engine/analysis.ts';
import { addCounts, bestPieceAgreement, countAgreement, detectInstructionSpans, evaluate, firstAndLastSentenceSpans, firstSentenceSpans, lastParagraphSpans, scoresOf, wholePromptSpans, type Scores } from '../../src/engine/spans/index.ts';
import { sharedDir, sharedSkipReason } from '../helpers/paths.ts';

function texts(prompt: string): string[] {
  return detectInstructionSpans(prompt).map((s) => prompt.slice(s.start, s.end));
}

function assertWellFormed(prompt: string, spans: Span[]): void {
  let last = 0;
  for (const s of spans) {
    assert.ok(s.start >= last && s.end > s.start && s.end <= prompt.length, `bad span ${JSON.stringify(s)}`);
    assert.equal(s.text, prompt.slice(s.start, s.end));
    assert.equal(s.text.trim(), s.text, 'spans do not start or end with whitespace');
    last = s.end;
  }
}

test('imperatives: after "please", an adverb or an introductory clause; not a declarative', () => {
  const prompt = 'My sister loves old films. Write a short poem about autumn. Then, list three rhymes for "leaf". If the poem is too long, shorten it.';
  assert.deepEqual(texts(prompt).slice(-3), ['Write a short poem about autumn.', 'Then, list three rhymes for "leaf".', 'If the poem is too long, shorten it.']);
  // Imperatives whose verb the tagger alone reads as a noun ("Design", "List", "Answer").
  assert.deepEqual(texts('Design a logo for a bakery.'), ['Design a logo for a bakery.']);
  assert.deepEqual(texts('Answer the question in one word.'), ['Answer the question in one word.']);
});

test('requests and questions are instructions', () => {
  assert.deepEqual(texts('Can you recommend a book about birds?'), ['Can you recommend a book about birds?']);
  assert.deepEqual(texts('I want you to act as a travel guide.'), ['I want you to act as a travel guide.']);
  assert.deepEqual(texts('Why is the sky blue?'), ['Why is the sky blue?']);
  assert.deepEqual(texts('Your task is to translate the text into French.'), ['Your task is to translate the text into French.']);
});

test('"I want you to …" asks the model; "I want to …" is the writer\'s own plan, unless it is wanting to know something', () => {
  assert.deepEqual(texts('I want to start journaling but I always give up after a few days.'), []);
  assert.deepEqual(texts("Now my income dropped and I'd like to renegotiate."), []);
  assert.deepEqual(texts('I want you to act as a travel guide.'), ['I want you to act as a travel guide.']);
  assert.deepEqual(texts("I'd like to know whether the offer is fair."), ["I'd like to know whether the offer is fair."]);
  assert.deepEqual(texts("I'd love some ideas for a party."), ["I'd love some ideas for a party."]);
  assert.deepEqual(texts('I need a bedtime routine for my twins.'), ['I need a bedtime routine for my twins.']);
  // A pasted blog paragraph that says "In this post I want to look at …" stays pasted material.
  const blog = "Here's the intro paragraph of my blog post:\n\nEvery year most people give up their resolutions by February. In this post I want to look at what research says about habits.\n\nSuggest a more surprising first sentence.";
  assert.deepEqual(texts(blog), ['Suggest a more surprising first sentence.']);
});

test('sentences describing the task or the given material count; narration alone does not', () => {
  assert.deepEqual(texts('You are given a list of cities.'), ['You are given a list of cities.']);
  assert.deepEqual(texts('The sentence you are given might be too wordy.'), ['The sentence you are given might be too wordy.']);
  assert.deepEqual(texts('The cat sat on the mat. It was a sunny afternoon and the birds were singing.'), []);
  assert.deepEqual(detectInstructionSpans(''), []);
  assert.deepEqual(detectInstructionSpans('  \n\n '), []);
});

test('task markers: field labels count, the material after a long input does not', () => {
  const email = 'Hi Sam, thanks for the notes from yesterday. I read them on the train and they were very useful for the report that we are writing together this month.';
  const prompt = `Summarize the email in one sentence.\n\nInput: ${email}\n\nOutput:`;
  const spans = detectInstructionSpans(prompt);
  assertWellFormed(prompt, spans);
  assert.deepEqual(spans.map((s) => s.text), ['Summarize the email in one sentence.']);
  // A short input is a task parameter (a topic, a title); field labels inside it are markers.
  const short = 'Suggest three shows in the genre.\n\nInput: Genre: Crime TV Shows\n\nOutput:';
  assert.deepEqual(texts(short), ['Suggest three shows in the genre.', 'Genre:', 'Crime TV Shows']);
  // The frame labels themselves ("Input:", "Output:") on request.
  const framed = detectInstructionSpans(short, { frameMarkers: true }).map((s) => s.text);
  assert.ok(framed.includes('Input:') && framed.includes('Output:'), JSON.stringify(framed));
  // Repeated turn labels in a transcript are not field markers.
  const chat = `Who is asking for help?\n\nInput: Ann: ${email}\nBob: I will read it later today, after lunch, and send you my notes.\nAnn: Thanks a lot, that helps.\n\nOutput:`;
  assert.deepEqual(texts(chat), ['Who is asking for help?']);
});

test('a label the instruction names opens the material even on the same line; other inline labels do not', () => {
  assert.deepEqual(texts('Summarize the text below in two sentences. Text: The river rose overnight and closed the old bridge.'), ['Summarize the text below in two sentences.']);
  assert.deepEqual(texts('Classify the reviews below. Reviews: I loved it. Terrible service.'), ['Classify the reviews below.']);
  // "For example:" continues the instruction: the sentence before does not name an example.
  assert.deepEqual(texts('List five plants. For example: Snake plant - every 2 weeks.'), ['List five plants.', 'For example: Snake plant - every 2 weeks.']);
});

test('material the task operates on is not instruction; a specification to produce from is', () => {
  // "Rewrite" operates on the input text: however short, it is material.
  assert.deepEqual(texts('Rewrite the text and correct the spelling errors.\n\nInput: It solves problems comon and uniqe to every team.\n\nOutput:'), ['Rewrite the text and correct the spelling errors.']);
  // A judgement on it too ("decide whether"), also after "you should".
  assert.deepEqual(texts("You are given a tweet and you should decide whether it's offensive or not.\n\nInput: She has certainly taken some heat for that.\n\nOutput:"), ["You are given a tweet and you should decide whether it's offensive or not."]);
  // A name or a formula has no clause: still a parameter of the task.
  assert.deepEqual(texts('Summarize the movie in one sentence.\n\nInput: The Matrix (1999)\n\nOutput:'), ['Summarize the movie in one sentence.', 'The Matrix (1999)']);
  // Producing something new: a one-sentence description is the specification.
  const spec = 'Create a daily itinerary based on the given information.\n\nInput: Our family is looking for a 9-day trip that has light to moderate activity levels.\n\nOutput:';
  assert.deepEqual(texts(spec), ['Create a daily itinerary based on the given information.', 'Our family is looking for a 9-day trip that has light to moderate activity levels.']);
  // Not an operation: a gerund in a modifier ("for improving").
  assert.deepEqual(texts('Provide a cooking hack for improving the flavor of the given food.\n\nInput: popcorn\n\nOutput:'), ['Provide a cooking hack for improving the flavor of the given food.', 'popcorn']);
  // Numbered labels ("Review 1:", "Review 2:") are items of one kind, like repeated turns: no markers.
  assert.deepEqual(texts('Compare the reviews.\n\nInput: Review 1: Loved it, would go again any time.\nReview 2: Too loud, and the food arrived cold and late.\n\nOutput:'), ['Compare the reviews.']);
});

test('in a template instance, a prose description the task produces from counts whole up to 90 words; an operand, a record of fields or a chat does not', () => {
  // 48 words of prose between "Input:" and the answer slot, for a task that produces from it: the specification.
  const description = 'This blog post is for people who want to start running in their forties after years without any sport. The tone should be relaxed and encouraging, with short paragraphs, and it should mention how to avoid knee pain and how to stay motivated through the first cold winter months.';
  const spec = `Design an outline for a blog post based on the given information.\n\nInput: ${description}\n\nOutput:`;
  assert.deepEqual(texts(spec), ['Design an outline for a blog post based on the given information.', description]);
  // The same text as an operand ("Summarize") stays material, as does a record of labelled fields.
  assert.deepEqual(texts(`Summarize the given text in one sentence.\n\nInput: ${description}\n\nOutput:`), ['Summarize the given text in one sentence.']);
  const record = 'Design a poster for the event.\n\nInput: Event: a charity run along the river for people who want to start running in their forties\nAudience: beginners and families from the neighbourhood who have never taken part in any race before\n\nOutput:';
  assert.deepEqual(texts(record), ['Design a poster for the event.', 'Event:', 'Audience:']);
  // Without an answer slot (a chat, not a template instance) the long description is background.
  assert.deepEqual(texts(`Design an outline for a blog post.\n\nContext: ${description}`), ['Design an outline for a blog post.']);
  // Beyond the limit it is material again.
  assert.deepEqual(texts(`Design an outline for a blog post based on the given information.\n\nInput: ${description} ${description}\n\nOutput:`), ['Design an outline for a blog post based on the given information.']);
});

test('system prompts: roles, negative orders, rule lists, Markdown headings, list markers', () => {
  assert.deepEqual(texts('You are an expert SQL tutor.'), ['You are an expert SQL tutor.']);
  assert.deepEqual(texts('You review pull requests for a Python codebase.'), ['You review pull requests for a Python codebase.']);
  assert.deepEqual(texts("Don't guess. Do not reveal the answer."), ["Don't guess.", 'Do not reveal the answer.']);
  // Lines that all instruct under a bare label are part of the instruction, not the material; the label is their heading.
  const rules = 'You are a tutor.\n\nRules:\n- Explain each step.\n- Use plain words.\n\nStudent: My homework on fractions is due tomorrow, and I still do not understand why one half plus one third is not two fifths.';
  assert.deepEqual(texts(rules), ['You are a tutor.', 'Explain each step.', 'Use plain words.']);
  // Headings separate sections and are not instructions; numbering is not part of a span.
  assert.deepEqual(texts('# Output format\n1. Return a list of problems.\n2. Write "LGTM" if there are none.\n\n# Diff\n{diff}'), ['Return a list of problems.', 'Write "LGTM" if there are none.']);
  // A subject followed by its verb is not an order ("Budget … remains"), nor is "thanks!!" context.
  assert.deepEqual(texts('Budget for the pilot remains unchanged.'), []);
  assert.deepEqual(texts('thanks!! also, suggest a better opening line'), ['also, suggest a better opening line']);
  // Verbs that only end like participles ("bring") and adjective-looking verbs ("Correct the …").
  assert.deepEqual(texts('Bring an example of a workflow.'), ['Bring an example of a workflow.']);
  assert.deepEqual(texts('Correct the transcription of the excerpt.'), ['Correct the transcription of the excerpt.']);
});

test('offsets are JavaScript string offsets (astral characters, CRLF)', () => {
  const prompt = '🙂🙂 Great day.\r\nTranslate “good morning” into Spanish.\r\n';
  const spans = detectInstructionSpans(prompt);
  assertWellFormed(prompt, spans);
  assert.ok(spans.some((s) => s.text === 'Translate “good morning” into Spanish.'), JSON.stringify(spans));
});

test('metrics: character-level, whitespace excluded, micro-averaged', () => {
  const text = 'ab cd ef';
  const c = countAgreement(text, [{ start: 0, end: 5 }], [{ start: 3, end: 8 }]);
  assert.deepEqual(c, { truePositive: 2, falsePositive: 2, falseNegative: 2 });
  const s = scoresOf(c);
  assert.equal(s.precision, 0.5);
  assert.equal(s.f1, 0.5);
});

const skip = sharedSkipReason();

test('paper Self-Instruct prompts: agreement with the human instruction spans beats every baseline', { skip }, () => {
  const file = path.join(sharedDir, 'data/paper-self-instruct/prompts.jsonl');
  const items = readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const r = JSON.parse(line) as { prompt: string; instruction_spans: Span[] };
    return { prompt: r.prompt, reference: r.instruction_spans };
  });
  assert.equal(items.length, 252);
  const show = (name: string, s: Scores) => console.log(`${name.padEnd(15)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`);
  const whole = evaluate(items, wholePromptSpans);
  const first = evaluate(items, firstSentenceSpans);
  const detected = evaluate(items, (p) => {
    const spans = detectInstructionSpans(p);
    assertWellFormed(p, spans);
    return spans;
  });
  show('whole prompt', whole);
  show('first sentence', first);
  const firstLast = evaluate(items, firstAndLastSentenceSpans);
  const lastParagraph = evaluate(items, lastParagraphSpans);
  show('first and last', firstLast);
  show('last paragraph', lastParagraph);
  show('detected', detected);
  // The baselines as the issue states them (0.72 and 0.63, to within rounding of the segmentation).
  assert.ok(Math.abs(whole.f1 - 0.72) < 0.005, `whole-prompt F1 ${whole.f1}`);
  assert.ok(Math.abs(first.f1 - 0.63) < 0.01, `first-sentence F1 ${first.f1}`);
  for (const baseline of [whole, first, firstLast, lastParagraph]) assert.ok(detected.f1 > baseline.f1, 'detection beats every baseline');
  assert.ok(detected.f1 >= F1_FLOOR, `F1 ${detected.f1.toFixed(3)} fell below ${F1_FLOOR}`);
});

test('paper Self-Instruct prompts: the annotations are made of whole sentences, labels and list markers, so the rules, not the segmentation, limit agreement', { skip }, () => {
  const file = path.join(sharedDir, 'data/paper-self-instruct/prompts.jsonl');
  let counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const r = JSON.parse(line) as { prompt: string; instruction_spans: Span[] };
    counts = addCounts(counts, bestPieceAgreement(r.prompt, r.instruction_spans));
  }
  const best = scoresOf(counts);
  console.log(`best choice of whole pieces: P ${best.precision.toFixed(3)}  R ${best.recall.toFixed(3)}  F1 ${best.f1.toFixed(3)}`);
  // Measured 0.9996: what the detector misses (F1 0.9033) is which sentences to keep, not where they end.
  assert.ok(best.f1 >= 0.999, `best piece-level F1 ${best.f1}`);
});

/** The measured F1, 0.9033, rounded down (see docs/spans.md, "Fifth round"; the target is 0.90): a drop fails. */
const F1_FLOOR = 0.903;

test('pasted material without a label, background stories and few-shot examples are not instruction', () => {
  // A lead-in introduces pasted text; the request after it counts, the text's own request does not.
  assert.deepEqual(texts('My landlord sent me this:\n\n"Please send proof of income before the 1st and set up autopay on the new portal."\n\nWhat do I need to do?'), ['What do I need to do?']);
  // What a pointer introduces is instruction when it gives orders itself.
  assert.deepEqual(texts('You are a support bot. Follow the rules below.\n\n- Never share passwords.\n- Answer in English.'), ['You are a support bot.', 'Follow the rules below.', 'Never share passwords.', 'Answer in English.']);
  // A greeting with a name opens a pasted message, unless the paragraph gives orders itself.
  assert.deepEqual(texts('Make this friendlier.\n\nhey Mark, so the report is late again. the data came in late.'), ['Make this friendlier.']);
  assert.deepEqual(texts('Hey Claude, can you write a short poem about autumn? Keep it to four lines.'), ['Hey Claude, can you write a short poem about autumn?', 'Keep it to four lines.']);
  // The writer's own sign-off after their orders does not stretch the pasted e-mail to the end.
  assert.deepEqual(texts('Reply to this email:\n\n"Hi Sam, the invoice is attached. It is due on Friday."\n\nKeep it short and polite.\n\nThanks,\nAnna'), ['Reply to this email:', 'Keep it short and polite.']);
  assert.deepEqual(texts('Summarize this email.\n\nHi Sam,\n\nThe invoice is attached. Please pay it by Friday and send me the receipt.\n\nBest,\nTom'), ['Summarize this email.']);
  // A quotation after an instruction's colon is material.
  assert.deepEqual(texts('Write a reply in the same style to this review: "Loved the vegan options, but the garlic bread was burnt."'), ['Write a reply in the same style to this review:']);
  // Code is material.
  assert.deepEqual(texts('Explain this code.\n\nfunction f(x) {\n  return x + 1;\n}'), ['Explain this code.']);
  // A long story before the question is background; the writer's own obligations are no task.
  assert.deepEqual(texts('I moved to a new city in May. I work nights at a hospital. My flat is above a bar. I have to sleep during the day. How can I block out the noise?'), ['How can I block out the noise?']);
  // Repeated labels, counting the sections' own, are examples however short: no parameter, no markers.
  assert.deepEqual(texts('Write a tagline like the examples.\n\nProduct: water bottle\nTagline: Hydration that outlasts your excuses.\n\nProduct: standing desk\nTagline:'), ['Write a tagline like the examples.']);
});

test('templates: tag lines delimit sections, a placeholder alone on its line is material, fields continuing an order count', () => {
  // "<instructions>" … "</instructions>" on lines of their own delimit sections as headings do (not code).
  assert.deepEqual(texts('<instructions>\nRewrite the product description below. Keep it under 80 words.\n</instructions>\n<description>\n{description}\n</description>'), ['Rewrite the product description below.', 'Keep it under 80 words.']);
  // "{context}" under "Context:" stands for the text pasted in later, however short it looks.
  assert.deepEqual(texts('Answer the question using only the context.\n\nContext:\n{context}'), ['Answer the question using only the context.']);
  // A labelled line right after an order is a field of the task, with its label ("Goal: {goal}").
  assert.deepEqual(texts('Create a workout plan.\nGoal: {goal}\nDays per week: {days}'), ['Create a workout plan.', 'Goal:', '{goal}', 'Days per week:', '{days}']);
  // … not a label in pasted log lines ("RuntimeError: …" after a traceback line).
  assert.ok(!texts('Traceback (most recent call last):\n  File "train.py", line 88, in <module>\n    return forward(x)\nRuntimeError: CUDA out of memory.\n\nHow can I fix this?').includes('RuntimeError:'));
});

test('a placeholder alone on its line is material anywhere: under a Markdown heading, under a bare label, before a chat marker', () => {
  // Under "### Query" the placeholder sits in the instruction part, where it used to read as an order.
  assert.deepEqual(texts('### Task\nRate the relevance of the document to the query from 0 to 3.\n\n### Query\n{{query}}\n\n### Document\n{{document}}'), ['Rate the relevance of the document to the query from 0 to 3.']);
  // A bare label over a placeholder is no list of instructions: it opens the material.
  assert.deepEqual(texts('You will be given a job description and a CV. Rate how well they match from 1 to 5.\n\nJob description:\n{job_description}\n\nCV:\n{cv_text}'), ['You will be given a job description and a CV.', 'Rate how well they match from 1 to 5.']);
  // A chat-template marker after the placeholder does not make it a value of the task.
  assert.deepEqual(texts('[INST] Correct the grammar in the text below. Return only the corrected text.\n\nText: {input_text} [/INST]'), ['Correct the grammar in the text below.', 'Return only the corrected text.']);
});

test('questions inside a pasted e-mail are addressed to its recipient, unless the task is to answer it', () => {
  const email = 'Hi, I have been charged twice for my March subscription. Could you refund the duplicate charge? Thanks.';
  // Classifying (or summarizing) the e-mail: its question is the customer's to the shop, not the task.
  assert.deepEqual(texts(`Classify this customer email as billing, technical or other. Reply with the category only.\n\nEmail: ${email}`), ['Classify this customer email as billing, technical or other.', 'Reply with the category only.']);
  assert.deepEqual(texts(`Summarize the email thread.\n\nFrom: Sarah Kim\nSubject: Beta feedback\n\nThe main complaints are slow sync and the sharing settings. Lucia, can you draft clearer copy for the sharing dialog?`), ['Summarize the email thread.']);
  // Answering it: the model is the recipient, so the question is the one to answer.
  assert.deepEqual(texts(`You are the shop's support assistant. Answer politely.\n\nCustomer message: ${email}`), ["You are the shop's support assistant.", 'Answer politely.', 'Could you refund the duplicate charge?']);
});

test('a lead-in that only points at the pasted material after it is not instruction; an order, a doubt or a head of rules is', () => {
  const log = '\n\n2024-05-14 02:00:01 INFO  Starting backup\n2024-05-14 03:59:59 ERROR Upload aborted: token expired (403)\n\nWhat is the likely root cause?';
  assert.deepEqual(texts(`I ran the nightly backup by hand today:${log}`), ['What is the likely root cause?']);
  // The writer's doubt about it is an implicit question.
  assert.deepEqual(texts(`I ran the nightly backup by hand and I'm not sure what this means:${log}`), ["I ran the nightly backup by hand and I'm not sure what this means:", 'What is the likely root cause?']);
  // An order introducing it stays ("Make this sound friendlier:"), and so does a head of rules.
  assert.deepEqual(texts('Make this sound friendlier:\n\n"Your request has been received. Do not contact support before then."'), ['Make this sound friendlier:']);
  // Before labelled material too ("remote: …" opens a labelled section).
  const push = texts("I keep getting this when I try to push:\n\nremote: Permission to acme/site.git denied to jlee-work.\nfatal: unable to access 'https://github.com/acme/site.git/': The requested URL returned error: 403\n\nHow do I make git use the right account?");
  assert.ok(!push.includes('I keep getting this when I try to push:') && push.includes('How do I make git use the right account?'), JSON.stringify(push));
  assert.ok(texts('When you answer questions about our return policy, follow these rules:\n\n* Refunds are possible within 30 days.\n* Sale items can be exchanged but not refunded.\n\nCustomer: Can I get my money back?').includes('When you answer questions about our return policy, follow these rules:'));
});

test('a short message under a label naming it or its author ("Customer:", "Comment:") is the material: only its question counts', () => {
  const rules = 'When you answer questions about returns, follow these rules:\n- Refunds are possible within 30 days.\n- Sale items can be exchanged but not refunded.';
  assert.deepEqual(texts(`${rules}\n\nCustomer: I bought a jacket in the sale and it does not fit. Can I get my money back?`).slice(-1), ['Can I get my money back?']);
  assert.deepEqual(texts('You moderate comments on a cooking blog. Output KEEP or REMOVE.\n\nComment: Made this last night with oat milk and it was still delicious!'), ['You moderate comments on a cooking blog.', 'Output KEEP or REMOVE.']);
  // Any other short material stays a task parameter.
  assert.deepEqual(texts('Suggest three names for the shop.\n\nInput: A bakery that sells sourdough bread and coffee.\n\nOutput:'), ['Suggest three names for the shop.', 'A bakery that sells sourdough bread and coffee.']);
});

test('a closing paragraph that orders is the request, (a)-style list markers, chat-template markers', () => {
  // The last paragraph after labelled material gives orders among statements: its orders count.
  assert.deepEqual(texts('Can you compare two job offers for me?\n\nOffer A: a product analyst role at a large insurance company, salary 68k, hybrid with three office days and a good pension.\n\nOffer B: a data analyst role at a startup, salary 61k plus equity, fully remote, lots of responsibility.\n\nI am 27. Show the pros and cons of each in a table.'), ['Can you compare two job offers for me?', 'Show the pros and cons of each in a table.']);
  // "(a)", "(2)" open list items as "a)" and "2." do.
  assert.deepEqual(texts('For every claim the user sends:\n(a) state whether it is true or false;\n(b) give a one-sentence explanation.'), ['For every claim the user sends:', 'state whether it is true or false;', 'give a one-sentence explanation.']);
  // "[INST]" and "[/INST]" frame the prompt; they are no part of the instruction.
  assert.deepEqual(texts('[INST] Correct the grammar in the text below. Return only the corrected text. [/INST]'), ['Correct the grammar in the text below.', 'Return only the corrected text.']);
});

test('directive lists: items under "Rules:" or "Requirements …:" are orders whatever their grammar; the heading is not', () => {
  assert.deepEqual(texts('Write a short story for children.\n\nRules:\n- The main character is an animal.\n- No violence and nothing scary.\n- Length: 300 to 400 words.'), ['Write a short story for children.', 'The main character is an animal.', 'No violence and nothing scary.', 'Length:', '300 to 400 words.']);
  assert.deepEqual(texts('Requirements for the password generator:\n- Written in Go.\n- Uses crypto/rand, not math/rand.\n\nWrite the function.'), ['Written in Go.', 'Uses crypto/rand, not math/rand.', 'Write the function.']);
  // A clause before the colon is an order of its own, not a heading.
  assert.deepEqual(texts('Follow these steps:\n1. Read the message.\n2. Reply in its language.'), ['Follow these steps:', 'Read the message.', 'Reply in its language.']);
});

test('few-shot examples from the first line on: only the last question is the task; a field holding a placeholder in material is material', () => {
  assert.deepEqual(texts('Q: What is the capital of Australia?\nA: Canberra\n\nQ: Which planet has the most moons?\nA: Saturn\n\nQ: What is the largest desert in the world?\nA:'), ['What is the largest desert in the world?']);
  // "Question: {question}" in the material stands for the text pasted in later; "Goal: {goal}" after an order is a field of the task.
  assert.deepEqual(texts('Answer the question using only the context.\n\nContext:\n{context}\n\nQuestion: {question}\nAnswer:'), ['Answer the question using only the context.']);
  assert.deepEqual(texts('Create a workout plan.\nGoal: {goal}'), ['Create a workout plan.', 'Goal:', '{goal}']);
});

test('background (annotation guide): the writer\'s own facts are not context, their limits and preferences are', () => {
  // A fact of the writer's situation next to the question is its subject, not instruction.
  assert.deepEqual(texts('I have a 3-year-old laptop with 8 GB of RAM. Should I upgrade the RAM or buy a new one?'), ['Should I upgrade the RAM or buy a new one?']);
  // A paragraph that opens with the writer's fact is their story: the facts after it too.
  assert.deepEqual(texts("My daughter is 7 and she says she's bad at maths. Her teacher says she's doing fine. How do I talk to her about it?"), ['How do I talk to her about it?']);
  // A limit stated in the story counts.
  assert.deepEqual(texts("We moved into an old flat in October. The living room is always cold. Renting means we can't replace the windows. What can we do to keep it warmer?"), ["Renting means we can't replace the windows.", 'What can we do to keep it warmer?']);
  // … even in a paragraph of background without an order ("I'm …" is the writer as subject too).
  assert.deepEqual(texts("Create a one-week meal plan for two adults.\n\nWe both work late on weekdays. We are vegetarian and we don't own a microwave. I'm not a fan of tofu.\n\nList dinners only."), ['Create a one-week meal plan for two adults.', "We are vegetarian and we don't own a microwave.", "I'm not a fan of tofu.", 'List dinners only.']);
  // Labelled material alone does not make a template instance: the writer's facts stay out.
  const club = texts("I'm the treasurer of a hiking club. Two members paid their fee twice. Write the email I should send to the committee.\n\nBylaws: Membership fees are non-refundable except in cases approved by the committee.");
  assert.ok(!club.includes("I'm the treasurer of a hiking club.") && club.includes('Write the email I should send to the committee.'), JSON.stringify(club));
  // In a template instance (labelled input, answer slot) such a sentence describes the task, as the paper's annotation has it.
  assert.deepEqual(texts("We've already decided on the title and topic for our blog post. Write an introduction paragraph to attract readers.\n\nInput: Blog title: Healthy Apple Muffins\n\nOutput:"), ["We've already decided on the title and topic for our blog post.", 'Write an introduction paragraph to attract readers.', 'Blog title:', 'Healthy Apple Muffins']);
});

test('an order\'s means ("… by translating it") is an operation on the material; a lead-in before any later paragraph only points; a directive lead-in\'s next paragraph lists directives', () => {
  const article = 'Dentistry is the branch of medicine focused on the teeth, gums and mouth. It consists of the study, diagnosis, prevention and treatment of diseases of the mouth, and it may also include the jaw joint. The practitioner is called a dentist.';
  assert.deepEqual(texts(`Make the article available in a second language by translating it into French.\n\nInput: ${article}\n\nOutput:`), ['Make the article available in a second language by translating it into French.']);
  // A bare label pointing at what follows is no field marker.
  assert.deepEqual(texts("Here's my Dockerfile:\n\nFROM node:20\nWORKDIR /app\n\nCan you make the image smaller?"), ['Can you make the image smaller?']);
  // Before a paragraph that is no pasted material (a regex line) as before pasted material.
  const regex = texts("my regex isn't matching what I want. I'm trying to match US phone numbers like (555) 123-4567 or 555-123-4567:\n\n^\\(?\\d{3}\\)?-\\d{3}-\\d{4}$\n\nit matches 555-123-4567 but not (555) 123-4567. what's wrong?");
  assert.ok(!regex.includes("I'm trying to match US phone numbers like (555) 123-4567 or 555-123-4567:") && regex.includes("what's wrong?"), JSON.stringify(regex));
  assert.deepEqual(texts('When you answer questions about our return policy, follow these rules:\n\n* Refunds are possible within 30 days of delivery.\n* Sale items can be exchanged but not refunded.\n\nCustomer: I bought a jacket in the sale. Can I get my money back?'), ['When you answer questions about our return policy, follow these rules:', 'Refunds are possible within 30 days of delivery.', 'Sale items can be exchanged but not refunded.', 'Can I get my money back?']);
});

test('a transcript\'s turns ask their questions of each other, not of the model, unless the task answers them', () => {
  const chat = "Here's a chat from our team:\n\nAlex: did anyone change the env vars? login is broken\nBeth: I rotated the secret this morning, sorry\nAlex: np, can you fix it now?\nBeth: done\n\nWrite a two-sentence incident note based on it.";
  assert.deepEqual(texts(chat), ['Write a two-sentence incident note based on it.']);
  // Told to answer the last turn, its question is the one to answer.
  const reply = 'You are the support agent. Reply to the customer.\n\nCustomer: my order never arrived\nAgent: Please allow 7-10 business days.\nCustomer: it has been 15 days, where is it?';
  assert.ok(texts(reply).includes('it has been 15 days, where is it?'), JSON.stringify(texts(reply)));
});

test('a sign-off with a signature of several lines ("Best regards,\\nMarta Kowalski\\nProperty Manager") closes a pasted e-mail', () => {
  const prompt = 'My landlord sent me this:\n\nHi Jordan,\n\nThe building will be renovated from June 3rd. Please remove all items from your balcony by May 31st. Could you confirm whether you will be home that morning?\n\nBest regards,\nMarta Kowalski\nProperty Manager\n\nDo I have to let them in? Write me a short reply.';
  assert.deepEqual(texts(prompt), ['Do I have to let them in?', 'Write me a short reply.']);
});

test('the paragraph after one that names a text with a demonstrative ("this press release") is that text, unless it instructs', () => {
  const prompt = 'Translate this press release into Spanish. Use usted, not tú.\n\nGreenLeaf Foods is recalling its trail mix because it may contain peanuts. Customers with a peanut allergy should not eat the product. The bags can be returned to any store.';
  assert.deepEqual(texts(prompt), ['Translate this press release into Spanish.', 'Use usted, not tú.']);
  // A paragraph of orders after it is still instruction.
  assert.deepEqual(texts('I wrote this poem for my sister.\n\nKeep the rhyme. Make it shorter.'), ['Keep the rhyme.', 'Make it shorter.']);
});

test('in a prompt with pasted material, statements about a thing next to the request are facts, not context; limits and existential task descriptions stay', () => {
  const code = "Can you review this function? It's supposed to return the median of a list.\n\ndef median(xs):\n    xs.sort()\n    return xs[len(xs) // 2]\n\nPoint out every bug.";
  assert.deepEqual(texts(code), ['Can you review this function?', 'Point out every bug.']);
  const log = "Here's the end of the log:\n\n2026-03-10 02:14:38 ERROR Upload failed: 403 Forbidden\n2026-03-10 02:17:40 FATAL Giving up after 3 attempts\n\nNothing changed in the script. The fix can't need a new bucket. What should I check first?";
  assert.deepEqual(texts(log), ["The fix can't need a new bucket.", 'What should I check first?']);
  const bugs = 'There are two bugs in this method. Find them.\n\nint add(int a, int b) {\n  return a - b;\n}';
  assert.deepEqual(texts(bugs), ['There are two bugs in this method.', 'Find them.']);
});

test('"Be brief" is an order; a clause before a colon ("Acme offers three plans:") is no label that opens material', () => {
  assert.deepEqual(texts('Be brief. Be polite to the customer.'), ['Be brief.', 'Be polite to the customer.']);
  assert.deepEqual(texts('To be honest, the old replies were too long.'), []);
  const system = 'You are a support agent for Acme Cloud.\n\nAcme Cloud offers three plans: Free (5 GB), Plus (200 GB) and Team (2 TB). Deleted files can be restored for 30 days.\n\nWhen you answer:\n- Be brief and use numbered steps.\n- Never promise a refund.';
  const found = texts(system);
  assert.ok(found.includes('Be brief and use numbered steps.') && found.includes('Never promise a refund.'), JSON.stringify(found));
});

test('items under a Markdown heading naming directives or what the reader does ("## What to check") count whatever their grammar, labelled ones too', () => {
  const prompt = '## Role\nYou review Python code.\n\n## What to check\n- Correctness and edge cases.\n- Readability: names, function length.\n\n## Output format\nStart with a one-line verdict.';
  assert.deepEqual(texts(prompt), ['You review Python code.', 'Correctness and edge cases.', 'Readability:', 'names, function length.', 'Start with a one-line verdict.']);
  // A heading of material is no such heading.
  assert.deepEqual(texts('## Task\nSummarize the notes.\n\n## Notes\n- Budget approved.\n- Launch moved to May.'), ['Summarize the notes.']);
});

test('a last paragraph after labelled material that is a message ("Dear Applicant, … please reply …") is material, not the closing request', () => {
  const prompt = 'Is this a real job offer or a scam?\n\nSubject: Remote data entry position\n\nDear Applicant,\nYour profile has been selected for a remote position with flexible hours. To proceed, please reply with your full name, address and bank details.\nRegards,\nHR Department';
  assert.deepEqual(texts(prompt), ['Is this a real job offer or a scam?']);
});

test('statements about a thing are facts next to labelled material too', () => {
  const prompt = 'Is this a real job offer? It came to my personal email.\n\nSubject: Remote data entry position\n\nDear Applicant,\nYour profile has been selected for a remote position with flexible hours and weekly pay.\nRegards,\nHR Department';
  assert.deepEqual(texts(prompt), ['Is this a real job offer?']);
});

test('a word after a possessive is a noun ("Rate the agent\'s reply"), not an order to reply: the transcript\'s questions stay its own', () => {
  const prompt = "Below is a conversation between a customer and an agent.\n\nCustomer: I was charged twice this month.\nAgent: Sorry! Can you tell me the last four digits of the card?\nCustomer: ok but why did it happen?\n\nRate the agent's reply from 1 to 5.";
  assert.deepEqual(texts(prompt), ['Below is a conversation between a customer and an agent.', "Rate the agent's reply from 1 to 5."]);
});

test('lines of chat-template markers ("[INST] <<SYS>>", "<</SYS>>") are no lines of code', () => {
  const prompt = '[INST] <<SYS>>\nYou are a helpful assistant that classifies customer messages.\n<</SYS>>\n\nClassify the message. Answer with the label only.\n\nMessage: {message} [/INST]';
  assert.deepEqual(texts(prompt), ['You are a helpful assistant that classifies customer messages.', 'Classify the message.', 'Answer with the label only.']);
});

test('a limit named as such ("the form has a 150-word limit") is a constraint', () => {
  assert.deepEqual(texts("I'm applying for a grant and the form has a 150-word limit for this section. I'm a nurse. Can you tighten my draft?"), ["I'm applying for a grant and the form has a 150-word limit for this section.", 'Can you tighten my draft?']);
});

test('role tags around a line ("<system>…</system>", "<user>…</user>") are chat markers: the line is no code, the tags no part of a span', () => {
  const prompt = "<system>You are a concise assistant. Reply in British English.</system>\n<user>What's the difference between a latte and a flat white?</user>";
  assert.deepEqual(texts(prompt), ['You are a concise assistant.', 'Reply in British English.', "What's the difference between a latte and a flat white?"]);
});

test('few-shot items the task labels or judges: the last item\'s question is to be labelled, not answered', () => {
  const prompt = 'Tag each support ticket with one category: billing, bug or other.\n\nTicket: I was charged twice this month.\nCategory: billing\n\nTicket: Can I change the email address on my account?\nCategory:';
  assert.deepEqual(texts(prompt), ['Tag each support ticket with one category: billing, bug or other.']);
  // Items to answer keep their last question.
  assert.deepEqual(texts('Q: What is the capital of Australia?\nA: Canberra\n\nQ: What is the largest desert in the world?\nA:'), ['What is the largest desert in the world?']);
});

test('a noun followed by a base-form verb is a plural subject and its verb ("People give long updates"), not an order', () => {
  assert.deepEqual(texts('Our standup runs 40 minutes. People give long status updates. How can I shorten it?'), ['How can I shorten it?']);
  assert.deepEqual(texts('Design a logo for a bakery.'), ['Design a logo for a bakery.']);
});

test('"up to" is a limit after a space ("up to 30 minutes"), not inside "a follow-up to a client"', () => {
  const prompt = "Hi Marcus,\n\nI wanted to follow up on our proposal from March.\n\nBest regards,\nElena\n\nThis is my follow-up to a client who went silent. Rewrite it so it's shorter.";
  assert.deepEqual(texts(prompt), ["Rewrite it so it's shorter."]);
  assert.deepEqual(texts('I can spend up to 30 minutes a day. What exercise should I do?'), ['I can spend up to 30 minutes a day.', 'What exercise should I do?']);
});

test('"Here is/are …:" closing a paragraph before more of the prompt only points; the paragraph it closes still describes the task', () => {
  const notes = 'Here are the notes I took during a user interview:\n\n- Uses a spreadsheet for the budget\n- Forgets to log cash payments\n\nTurn them into three user stories.';
  assert.deepEqual(texts(notes), ['Turn them into three user stories.']);
  const tagline = 'A tagline is the slogan of a film. Here is an example:\n\nInput: Movie: Joker (2019)\n\nOutput:';
  assert.ok(texts(tagline).includes('A tagline is the slogan of a film.') && !texts(tagline).includes('Here is an example:'), JSON.stringify(texts(tagline)));
});

test('a compound noun before a colon ("Company policy for employee travel:") is a heading, though "please company …" would read as an order', () => {
  const prompt = 'You are a travel planning assistant.\n\nCompany policy for employee travel:\nEconomy class for flights under 6 hours. Hotels up to 180 per night.\n\nAlways stay within this policy.';
  assert.ok(!texts(prompt).includes('Company policy for employee travel:'), JSON.stringify(texts(prompt)));
  assert.deepEqual(texts('List the steps:\n1. Open the file.'), ['List the steps:', 'Open the file.']);
  assert.ok(texts('Reply to this email:\n\n"Hi Sam, the invoice is attached."\n\nKeep it short.').includes('Reply to this email:'));
});

test('a quantity bound in words ("under three hours", "more than a couple of hours a week") states a limit; a duration of a fact ("within a week") does not', () => {
  assert.deepEqual(texts('My knees are bad, so I\'d like to keep each walk under three hours. Which trails near Boulder would work?'), ["My knees are bad, so I'd like to keep each walk under three hours.", 'Which trails near Boulder would work?']);
  assert.deepEqual(texts('We both work full time, so nothing that takes more than a couple of hours a week. What hobby could we share?'), ['We both work full time, so nothing that takes more than a couple of hours a week.', 'What hobby could we share?']);
  assert.deepEqual(texts('I cleaned the filter twice and the smell comes back within a week. What else can I try?'), ['What else can I try?']);
});

test('the time or money the writer has ("We have about $400.", "We\'ll have three nights") is a limit; what they have otherwise is a fact', () => {
  assert.deepEqual(texts("We're visiting Lisbon in May. We'll have three nights there. What should we see?"), ["We'll have three nights there.", 'What should we see?']);
  assert.deepEqual(texts('My sister graduates next month. I have about $150 for a gift. Any ideas?'), ['I have about $150 for a gift.', 'Any ideas?']);
  assert.deepEqual(texts('I have two cats and a small flat. Which robot vacuum handles fur best?'), ['Which robot vacuum handles fur best?']);
});

test('a person\'s taste ("She loves dinosaurs") is a preference the answer must fit; their other facts are not', () => {
  assert.deepEqual(texts('My niece is turning 8 in May. She loves dinosaurs and drawing. What should I get her?'), ['She loves dinosaurs and drawing.', 'What should I get her?']);
  assert.deepEqual(texts('My niece is turning 8 in May. She lives in Leeds. What should I get her?'), ['What should I get her?']);
});

test('labels indented or with values aligned in a column ("  Status:      Failed") are a tool\'s output, not the task\'s fields', () => {
  const prompt = 'My job keeps failing. This is what the scheduler shows:\n\nJob:          nightly-export\n  Status:     Failed\n  Attempts:   5\n\nWhy does it fail?';
  assert.deepEqual(texts(prompt), ['Why does it fail?']);
  assert.ok(texts('Write a tagline for the product.\n\nProduct: a solar lantern\nAudience: campers').includes('Audience:'));
});

test('a sign-off closing the prompt closes a letter that a greeting opened earlier, though the letter\'s body reads as orders', () => {
  const prompt = 'Please proofread this letter.\n\nDear Mr. Olsen,\n\nThank you for meeting us on Tuesday. Please send the signed lease by Friday.\n\nBest regards,\nJana Novak';
  assert.deepEqual(texts(prompt), ['Please proofread this letter.']);
  // Without a letter opened before, a sign-off right after orders is the writer's own.
  assert.deepEqual(texts('Summarize the notes below in three bullets. Keep it short.\n\nThanks,\nAnna'), ['Summarize the notes below in three bullets.', 'Keep it short.']);
});

test('a paragraph after the first that opens with a greeting without a name ("hey, sorry …") and gives no orders is a pasted note', () => {
  const prompt = 'my landlord texted me this after I asked about the heating\n\nhey, the part is on order. should be fixed next week. let me know if it gets really cold\n\nhow do I push back politely? keep it short';
  assert.deepEqual(texts(prompt), ['how do I push back politely?', 'keep it short']);
  assert.deepEqual(texts('I need a packing list for a weekend hike.\n\nHi, could you also add a first-aid checklist?'), ['I need a packing list for a weekend hike.', 'Hi, could you also add a first-aid checklist?']);
});

test('labelled material that a lead-in only points at ("Here are a few past entries:") is shown, not specified: no field labels, no task parameter', () => {
  const prompt = 'Here are a few of our past changelog entries:\n\n- New: Export to PDF.\n- Fixed: Crash on login.\n\nWrite an entry for the new calendar sync feature.';
  assert.deepEqual(texts(prompt), ['Write an entry for the new calendar sync feature.']);
  // An order before the material still makes it the task's fields.
  assert.ok(texts('Write a tagline for this product:\n\nProduct: a solar lantern\nAudience: campers').includes('Audience:'));
});

test('a taste with a determiner and a noun as subject ("The kids love trains", "My son enjoys chess") is a preference too', () => {
  assert.deepEqual(texts("We're spending a weekend in York with our two boys. The kids love trains and ghost stories. What should we do on Saturday?"), ['The kids love trains and ghost stories.', 'What should we do on Saturday?']);
});

test('a limit the writer draws as a consequence ("…, so we want at most an hour of walking") counts whoever the first clause is about', () => {
  // A story of more than three statements: only its limits count.
  const story = 'My parents are visiting in May. They have never been to Scotland. Dad had knee surgery in March, so we want at most an hour of walking a day. Mum gets cold easily. Where should we take them?';
  assert.deepEqual(texts(story), ['Dad had knee surgery in March, so we want at most an hour of walking a day.', 'Where should we take them?']);
  assert.deepEqual(texts('We rushed the trip last year, so we went home early. Where should we stay in Portugal?'), ['Where should we stay in Portugal?']);
});

test('next to pasted material, what a tool or a person says ("Postgres says …") is a reported fact, not context', () => {
  const prompt = "Here's my query:\n\nSELECT name FROM users WHERE active = 1;\nUPDATE users SET active = 0;\n\nMySQL says the table users is locked. How do I find what holds the lock?";
  assert.deepEqual(texts(prompt), ['How do I find what holds the lock?']);
});

test('a label heading a background statement ("Background: our team …") names it and does not instruct; one heading an order does', () => {
  const prompt = 'Background: our clinic sends about 300 appointment reminders a week. Many patients still miss them.\n\nSuggest three ways to cut no-shows.';
  assert.ok(!texts(prompt).includes('Background:'), JSON.stringify(texts(prompt)));
  assert.ok(texts('Task: Suggest three ways to cut no-shows.').includes('Task:'));
  // A label that is itself an order keeps counting ("Translate to French: the cat sleeps.").
  assert.deepEqual(texts('Translate to French: the cat sleeps.'), ['Translate to French:']);
});

test('the time or money the writer has counts after an opening adverbial too ("This time I have ten minutes.")', () => {
  const prompt = "Last quarter my update ran long and people tuned out. The slides were dense. Nobody asked questions. My manager noticed. This time I have ten minutes. How should I structure it?";
  assert.ok(texts(prompt).includes('This time I have ten minutes.'), JSON.stringify(texts(prompt)));
});

// Eighth round (docs/spans.md): each test fails without its rule.

test('a closing formula of the general form closes a pasted letter ("Warm regards,", "All the best,", "With gratitude,")', () => {
  const prompt = 'Write a reply that declines the invitation politely.\n\nDear Mr. Lindqvist,\n\nWe would be honoured to have you speak at our spring gala on 3 April. Could you confirm by Friday?\n\nWarm regards,\nHelena Brandt';
  assert.deepEqual(texts(prompt), ['Write a reply that declines the invitation politely.']);
  assert.deepEqual(texts(prompt.replace('Warm regards', 'All the best')), ['Write a reply that declines the invitation politely.']);
});

test('progress made ("i\'m up to 40 lengths") is a fact, not the limit "up to" states elsewhere', () => {
  assert.deepEqual(texts("i started swimming in may and i'm up to 40 lengths twice a week. can you suggest a drill to improve my breathing?"), ['can you suggest a drill to improve my breathing?']);
  assert.ok(texts('I can swim for up to 30 minutes. Can you suggest a drill?').includes('I can swim for up to 30 minutes.'));
});

test('a short phrase without a verb opening a paragraph only announces its topic ("Small question about bread."): no context', () => {
  assert.deepEqual(texts('Small question about bread. My sourdough comes out flat every time. Why does it not rise?'), ['Why does it not rise?']);
});

test('wanting the reader\'s help asks for it, whatever else the sentence tells ("… and could use some ideas for the ending.")', () => {
  const prompt = "I'm preparing a toast for my brother's wedding and could use some ideas for the ending.\n\nHe met his wife on a ferry in Norway.\n\nKeep it under two minutes.";
  assert.deepEqual(texts(prompt), ["I'm preparing a toast for my brother's wedding and could use some ideas for the ending.", 'Keep it under two minutes.']);
});

test('an upper bound after the amount ("two hours or less") states a limit', () => {
  const prompt = 'My parents are visiting in June. Dad had a hip operation last year. Mum hates long car rides. We want to keep each outing to two hours or less. Where should we go near Bath?';
  assert.deepEqual(texts(prompt), ['We want to keep each outing to two hours or less.', 'Where should we go near Bath?']);
});

test('what the writer wants the result to be ("We want something warm") is a preference; their plan ("I want her to …") is not', () => {
  const prompt = "We're repainting our living room, which gets little light. The old colour was a dark green. The landlord said any colour is fine. We want something warm but not yellow. Which shades should we try?";
  assert.deepEqual(texts(prompt), ['We want something warm but not yellow.', 'Which shades should we try?']);
  const story = 'My novel follows a girl at a boarding school. Her teachers are ghosts. The headmaster hides a secret. I want her to find out slowly. How should I pace the reveal?';
  assert.deepEqual(texts(story), ['How should I pace the reveal?']);
});

test('the money a part of the writer\'s group has ("Each of us has about 200 euros") is their budget', () => {
  const prompt = 'Four of us are renting a cabin in the Alps for New Year. We arrive on the 29th. Each of us has about 200 euros for food and activities. What should we plan for the days?';
  assert.deepEqual(texts(prompt), ['Each of us has about 200 euros for food and activities.', 'What should we plan for the days?']);
});

test('an order drawn as a consequence ("Nobody likes museums, so focus on food") is an order; a consequence that only tells is not', () => {
  const prompt = 'Five of us are going to Prague in March. We land Thursday night. Nobody likes museums, so focus on food and walks. Where should we eat on Friday?';
  assert.deepEqual(texts(prompt), ['Nobody likes museums, so focus on food and walks.', 'Where should we eat on Friday?']);
  assert.deepEqual(texts('We moved in last year. The house is old. It rained all week, so the roof leaked. The landlord is slow. Who should fix it?'), ['Who should fix it?']);
  assert.ok(texts("you plan trips for a small agency. many clients use wheelchairs. our insurance doesn't cover adventure activities so don't suggest them. keep plans to five days.").includes("our insurance doesn't cover adventure activities so don't suggest them."));
});

test('a subject and its finite verb before the comma make a clause, not an introduction ("Last year we rescued a cat, Pepper, …" gives no order)', () => {
  assert.deepEqual(texts("Last year we rescued a cat, Pepper, who's 7. He hides all day.\n\nHow can we help him settle in?"), ['How can we help him settle in?']);
  // An introduction before the comma still leads to the order after it.
  assert.deepEqual(texts('This week, list three easy dinners for me.'), ['This week, list three easy dinners for me.']);
});

test('what someone the answer is for cannot do or eat ("Grandma can\'t chew hard food", "His wife is vegetarian") is a limit, whoever the subject; in a later clause it is not', () => {
  const prompt = 'Plan a picnic menu for twelve people on Sunday.\n\nMy uncle brings his famous lemonade every year. Three of the children are allergic to nuts. His wife is vegetarian. Grandma can\'t chew hard food. The park has no shade.';
  assert.deepEqual(texts(prompt), ['Plan a picnic menu for twelve people on Sunday.', 'Three of the children are allergic to nuts.', 'His wife is vegetarian.', "Grandma can't chew hard food."]);
  assert.ok(texts('Plan a dinner for eight.\n\nMy uncle brings wine. My cousin is coeliac. The table seats ten.').includes('My cousin is coeliac.'));
  const trip = texts('Plan a road trip for our family of five.\n\nWe fly into Lisbon in June. The kids are 4, 7 and 12. The 4 year old gets carsick on winding roads. Nobody in the family eats seafood.');
  assert.ok(trip.includes('The 4 year old gets carsick on winding roads.') && trip.includes('Nobody in the family eats seafood.'), JSON.stringify(trip));
  const problem = 'Our dog is three. She was a stray. She sleeps well at night. She is sweet with us but whenever the doorbell rings we can\'t calm her down. What should we try?';
  assert.deepEqual(texts(problem), ['What should we try?']);
});

test('a bound that is the sentence\'s subject ("Fewer than 40 hours a week is non-negotiable") is a limit; an amount without a unit is not', () => {
  const prompt = "I've had two job offers. One is remote, the other is in the city. My partner works nights. Fewer than 40 hours a week is non-negotiable for me. Which offer should I take?";
  assert.deepEqual(texts(prompt), ['Fewer than 40 hours a week is non-negotiable for me.', 'Which offer should I take?']);
  assert.deepEqual(texts('Our class read a novel this term. The test was hard. The teacher was strict. Less than half of the class finished. Was the test fair?'), ['Was the test fair?']);
});

test('the writer\'s own text to write or words to say ("I need to write a short welcome …") is what the answer is to be: a request; other plans are not', () => {
  const prompt = 'Our choir is fifty years old this spring. We meet every Tuesday.\n\nI need to write a short welcome for the anniversary concert. Keep it under a minute.';
  assert.deepEqual(texts(prompt), ['I need to write a short welcome for the anniversary concert.', 'Keep it under a minute.']);
  assert.deepEqual(texts('I want to start journaling but I always give up after a few days. How do I keep going?'), ['How do I keep going?']);
  // An obligation is a fact of the writer's situation ("We have to write a function … for homework").
  assert.ok(texts('We are four engineers and we just got told we are on call from March. Nobody has done it before. The pager tool is set up. I need to put together a rotation before the end of the month. Keep it fair.').includes('I need to put together a rotation before the end of the month.'));
  assert.ok(texts("I'm the on-call lead and I need to answer this customer before end of day.\n\nHi, our dashboard has been down for an hour. When will it be back?\n\nThanks,\nLee").includes("I'm the on-call lead and I need to answer this customer before end of day."));
  assert.ok(texts("I'm comparing two hosting providers for our shop and need a recommendation by Monday. Provider A costs less. Provider B has better support.").includes("I'm comparing two hosting providers for our shop and need a recommendation by Monday."));
  assert.ok(texts("I've been asked to give a 10-minute talk at our engineering day about our move to GitHub Actions. What should the outline be?").includes("I've been asked to give a 10-minute talk at our engineering day about our move to GitHub Actions."));
  const homework = texts('I am in my first term of computer science. The course uses Python. We have to write a function that sorts a list. The autograder times out. My loop looks fine. Why is it slow?');
  assert.ok(!homework.includes('We have to write a function that sorts a list.'), JSON.stringify(homework));
});

test('an e-mail\'s header lines ("From: …", "Subject: …") are the message\'s, no fields of the task; "From:/To:" without a subject are fields', () => {
  const prompt = "hey, so my aunt got this and I'm not sure if it's real:\n\nFrom: Parcel Service <track@parcel-deliveries.info>\nSubject: Your package is on hold\n\nWe could not deliver your parcel. Pay the 1.99 fee at the link below.\n\nIs it a scam?";
  assert.deepEqual(texts(prompt), ["hey, so my aunt got this and I'm not sure if it's real:", 'Is it a scam?']);
  assert.ok(texts('Find the directions between the given locations.\n\nInput: From: Main Station, Zurich\nTo: Lake Park, Zurich\n\nOutput:').includes('To:'));
});

test('indented labelled lines ("  with:", "    registry: ghcr.io") are lines of a config block: the paragraph is pasted code', () => {
  const prompt = "Our deploy broke this morning. Here's the step that fails:\n\nRun docker/login-action@v3\n  with:\n    registry: ghcr.io\nError: Username and password required\n\nWhat changed?";
  assert.deepEqual(texts(prompt), ['What changed?']);
});

test('in a template\'s record of fields the first label is a field too ("Job title: {job_title}"); a frame label is not ("Text: {text}")', () => {
  assert.deepEqual(texts('Write a cover letter in under 250 words.\n\nJob title: {job_title}\nCompany: {company}'), ['Write a cover letter in under 250 words.', 'Job title:', 'Company:']);
  assert.deepEqual(texts('Translate the text.\n\nText: {text}\nTarget language: {language}'), ['Translate the text.', 'Target language:']);
});

test('in a system prompt that gives the reader a role, "our" statements with an amount are the employer\'s policy; others stay facts', () => {
  const prompt = "You are the booking assistant of a small hotel in Bruges. Our check-in starts at 3 pm and breakfast costs 18 euros. Our guests are mostly couples.\nRules:\n1. Answer in the guest's language.\n2. Never confirm a room without a card.";
  assert.deepEqual(texts(prompt), ['You are the booking assistant of a small hotel in Bruges.', 'Our check-in starts at 3 pm and breakfast costs 18 euros.', "Answer in the guest's language.", 'Never confirm a room without a card.']);
});

test('an order on the first line of a paragraph of examples or code ("Convert each temperature …\\n0 C -> 32 F") is the instruction; a lead-in\'s list stays its items', () => {
  assert.deepEqual(texts('Convert each temperature to Fahrenheit.\n0 C -> 32 F\n100 C -> 212 F\n37 C ->'), ['Convert each temperature to Fahrenheit.']);
  // The first line of a log that asks something is the log's ("[09:14] Ravi: did anyone see the quote?").
  assert.deepEqual(texts("Summarize this thread for my manager.\n\n[09:14] Ravi: did anyone see the vendor's new quote?\n[09:16] Ellie: yeah it went up 12%\n[09:17] Ravi: we can't go above 40k"), ['Summarize this thread for my manager.']);
  const rules = 'You check facts. For every claim the user sends:\n(a) state whether it is true;\n(b) give a one-sentence reason;\n(c) name a source.\nDo not hedge.';
  assert.deepEqual(texts(rules), ['You check facts.', 'For every claim the user sends:', 'state whether it is true;', 'give a one-sentence reason;', 'name a source.', 'Do not hedge.']);
});

test('thanks with an intensifier ("Thank you so much!") closes the prompt; it gives no order', () => {
  assert.deepEqual(texts('How many slides are normal for a ten-minute talk?\n\nThank you so much!'), ['How many slides are normal for a ten-minute talk?']);
  assert.deepEqual(texts('Thanks in advance! What should I pack?'), ['What should I pack?']);
});

test('the instruction resumes after a labelled block in the middle of a system prompt: orders or directives after it count, the block stays reference material', () => {
  const prompt = "You are the front-desk assistant of Birchwood Dental.\n\nPractice details:\nHours: Monday to Thursday 8:00-17:00.\nCheck-up: 60 euros.\n\nNever give a diagnosis over chat. Refer any swelling or fever to the emergency line.\n\nAnswer in the patient's language.";
  assert.deepEqual(texts(prompt), ['You are the front-desk assistant of Birchwood Dental.', 'Never give a diagnosis over chat.', 'Refer any swelling or fever to the emergency line.', "Answer in the patient's language."]);
  // A template's slots between labelled material are no orders ("Question: {question}").
  assert.deepEqual(texts('Answer the question using only the context.\n\nContext:\n{context}\n\nQuestion: {question}\n\nAnswer:'), ['Answer the question using only the context.']);
});

test('a Markdown heading naming the answer\'s manner ("## Tone", "## Output format") heads directives, whatever their grammar', () => {
  const prompt = 'You are StudyBuddy, a revision helper for secondary school students.\n\n## Tone\nFriendly and calm, never sarcastic. Short paragraphs; no jargon.';
  assert.deepEqual(texts(prompt), ['You are StudyBuddy, a revision helper for secondary school students.', 'Friendly and calm, never sarcastic.', 'Short paragraphs; no jargon.']);
});

test('"mine" and "ours" name the writer\'s own: "mine is usually around 135 over 85" is a fact of their situation', () => {
  assert.deepEqual(texts('whats a normal blood pressure for a man my age (52)? mine is usually around 135 over 85, sometimes higher in the morning.'), ['whats a normal blood pressure for a man my age (52)?']);
});

test('wanting to know asks, with an adverb too ("I just want to know whether …")', () => {
  const prompt = "My knee clicks when I climb stairs. It started after a ski trip. It doesn't hurt. My sister says it's nothing. I'm not after a diagnosis, I just want to know whether to see a physio.";
  assert.deepEqual(texts(prompt), ["I'm not after a diagnosis, I just want to know whether to see a physio."]);
});

test('a limit drawn as a consequence without a subject ("… so nothing about drinking", "…, so a dog that sheds is out") counts', () => {
  const prompt = "My brother is getting married in May and I'm giving the toast. We grew up on a farm. He met his wife at college. Her family is very traditional so nothing about drinking or old girlfriends. Can you help me with an opening line?";
  assert.deepEqual(texts(prompt), ['Her family is very traditional so nothing about drinking or old girlfriends.', 'Can you help me with an opening line?']);
  const dog = 'We want to adopt a dog. We live in a flat. The shelter has six dogs. My son has asthma, so a dog that sheds a lot is out. Which breeds should we look at?';
  assert.ok(texts(dog).includes('My son has asthma, so a dog that sheds a lot is out.'), JSON.stringify(texts(dog)));
});

test('the time or money the writer can give ("We can do maybe 15 minutes on school nights") is their budget', () => {
  const prompt = 'My daughter is in year 4. She finds spelling hard. Her teacher sent a word list home. We can do maybe 15 minutes on school nights. What games could help?';
  assert.deepEqual(texts(prompt), ['We can do maybe 15 minutes on school nights.', 'What games could help?']);
  assert.ok(texts(prompt.replace('We can do maybe 15 minutes on school nights.', 'I can spend maybe two evenings on it.')).includes('I can spend maybe two evenings on it.'));
});

test('a closing paragraph after labelled material keeps the budgets and bounds it states ("Budget is at most 30 euros a month."), not the writer\'s other facts', () => {
  const got = texts("Can you compare two phone plans for me?\n\nPlan A: 20 GB, 25 euros a month, two-year contract.\n\nPlan B: unlimited data, 35 euros a month, no contract.\n\nI'm 27 and don't have kids. Budget is at most 30 euros a month. Show the pros and cons in a table.");
  assert.ok(got.includes('Budget is at most 30 euros a month.') && !got.includes("I'm 27 and don't have kids."), JSON.stringify(got));
  // … and the writer's preferences and bounds, though not what they lack.
  const prefers = texts("Can you compare two phone plans for me?\n\nPlan A: 20 GB, 25 euros a month, two-year contract.\n\nPlan B: unlimited data, 35 euros a month, no contract.\n\nI'm 27 and don't have kids. I'd rather avoid a long contract. Show the pros and cons in a table.");
  assert.ok(prefers.includes("I'd rather avoid a long contract.") && !prefers.includes("I'm 27 and don't have kids."), JSON.stringify(prefers));
});

test('a list of directives closing the prompt after a labelled block ("Background: …\\n\\nGuidelines:\\n1. …") is instruction, not material', () => {
  const prompt = "You answer questions for the Riverside Library's help desk.\n\nBackground: we are open Monday to Saturday, 9 to 6. Cards are free for residents.\n\nGuidelines:\n1. Be patient with first-time users.\n2. Never share another member's loans.\n3. If you don't know, offer a callback.";
  assert.deepEqual(texts(prompt), ["You answer questions for the Riverside Library's help desk.", 'Be patient with first-time users.', "Never share another member's loans.", "If you don't know, offer a callback."]);
});

test('the writer\'s doubt about something is an implicit question ("… what I can\'t figure out.", "I don\'t understand why …"); "I don\'t know him well" is not', () => {
  const prompt = "My bank pays 3% a year. The statement shows monthly interest. The app shows a yearly rate. My friend says it's the same. I don't understand why the two numbers differ. Can you explain compound interest?";
  assert.deepEqual(texts(prompt), ["I don't understand why the two numbers differ.", 'Can you explain compound interest?']);
  assert.ok(texts("ok so I'm trying to figure out why our March numbers differ between the CRM and finance. The CRM says 212 deals. Finance says 198. Our quarter closes Friday. Which number is right?").includes("ok so I'm trying to figure out why our March numbers differ between the CRM and finance."));
  assert.ok(texts('Our backup job failed twice this week. The disk is half full. Another job also runs at 2am, not sure if that matters. What should I check first?').includes('Another job also runs at 2am, not sure if that matters.'));
  const worry = "This came from my son's teacher:\n\nHi Mr. Berg,\n\nOskar has been distracted in class lately. Could we meet next week?\n\nBest,\nMs. Patel\n\nWhat is she asking? I'm worried this is more serious than she says.";
  assert.deepEqual(texts(worry), ['What is she asking?', "I'm worried this is more serious than she says."]);
  assert.deepEqual(texts("this is from our family group chat about christmas, i'm so confused\n\nMum: Right everyone, cottage or ours?\nDan: cottage!!\nMum: ok but who pays\n\nwhat did we actually decide?"), ["this is from our family group chat about christmas, i'm so confused", 'what did we actually decide?']);
  const story = "My sister's wedding is in June. Her husband builds furniture. I don't know him that well yet. He is quiet. What gift should I get them?";
  assert.deepEqual(texts(story), ['What gift should I get them?']);
});

test('pasted material runs on over the paragraphs after it, up to one that instructs, one in the writer\'s voice, or the last', () => {
  const prompt = "From our staff newsletter, May issue:\n\nThe canteen will close for renovation in June. Staff can use the cafe on the ground floor.\n\nYou can order lunch online until 10 am. Deliveries go to each floor's kitchen.\n\nThe new canteen opens in September.\n\nWrite a two-line reminder of this for our team chat.";
  assert.deepEqual(texts(prompt), ['Write a two-line reminder of this for our team chat.']);
});

test('a signature line up to 60 characters ("Customer Accounts, Northern Logistics Group") still closes a pasted e-mail', () => {
  const prompt = 'Subject: Contract renewal\n\nHello,\n\nYour contract ends on 31 March.\n\nPlease confirm whether you wish to renew.\n\nBest regards,\nMarta Kowalski\nCustomer Accounts, Northern Logistics Group\n\nHow should I answer this? Keep it short.';
  assert.deepEqual(texts(prompt), ['How should I answer this?', 'Keep it short.']);
});

test('a label counting the writer\'s own points ("Two questions: …") opens no material: its questions and limits are the request', () => {
  const prompt = "I inherited this query.\n\nSELECT name\nFROM users\nWHERE active = 1;\n\nTwo questions: why is it slow, and does it skip new users? I can't add indexes.";
  assert.deepEqual(texts(prompt), ['Two questions:', 'why is it slow, and does it skip new users?', "I can't add indexes."]);
});

test('a labelled list item ("- Avoid these words: …") is an item of its list, not the start of material', () => {
  const got = texts('You edit letters for our insurance team.\n\nWhen you edit, follow the house style guide:\n- Use plain words.\n- Avoid these words: "hereby," "pursuant."\n- Amounts always take two decimals.\n\nNever change policy numbers.');
  assert.ok(got.includes('Amounts always take two decimals.') && got.includes('Avoid these words:'), JSON.stringify(got));
});

test('items under a label naming what the reader does ("What you can help with:") are directives, whatever their grammar', () => {
  const got = texts('You are the assistant of Hillside Dental.\n\nWhat you can help with:\n- Opening hours and parking\n- Which insurers we accept\n\nRules:\n1. Never give medical advice.\n2. Keep answers short.');
  assert.ok(got.includes('Opening hours and parking') && got.includes('Which insurers we accept') && got.includes('Keep answers short.'), JSON.stringify(got));
});

test('a directive label before an order resumes the instruction, even closing the prompt ("Guidelines: Mention the rent …")', () => {
  const got = texts('Write a listing for the flat below.\n\nAddress: {address}\nRooms: {rooms}\n\nGuidelines: Mention the rent in the first line. Keep it under 100 words.');
  assert.deepEqual(got, ['Write a listing for the flat below.', 'Guidelines:', 'Mention the rent in the first line.', 'Keep it under 100 words.']);
});

test('a relative clause inside the subject ("Support tickets that contain client data are retained …") makes no order; "Delete files that are old" is one', () => {
  const kinds = (t: string) => texts(`Review this policy.\n\n${t}`);
  assert.deepEqual(kinds('Support tickets that contain client data are retained for 24 months.'), ['Review this policy.']);
  assert.deepEqual(texts('Delete files that are older than 30 days.'), ['Delete files that are older than 30 days.']);
});

test('wanting to keep something as it is ("I want to keep the relationship good.") is a preference on the answer', () => {
  const prompt = 'Our supplier sent a late-payment notice. The invoice is stuck because their delivery was short. Nobody told them. I want to keep the relationship good. How should I reply?';
  assert.deepEqual(texts(prompt), ['I want to keep the relationship good.', 'How should I reply?']);
});

test('a Markdown thematic break ("---") separates paragraphs, and a titled name alone on its line ("Ms. Romero,") opens a letter', () => {
  assert.ok(texts('Here is the article.\n\nThe council approved the lane on Tuesday. Parking will be reduced.\n\n---\nwe live on Elm and have two cars. what does this mean for us?').includes('what does this mean for us?'));
  const letter = "my boss forwarded me this from a parent.\n\n---\nMs. Romero,\n\nMy son got a zero on the project. I'd like it changed.\n\nRegards,\nAndrea Whitfield\n---\n\nwrite me a reply that sticks to the policy.";
  assert.deepEqual(texts(letter), ['write me a reply that sticks to the policy.']);
});

test('inside a pasted letter, until its sign-off, "we" is its writer: the letter runs on ("Dear Customer,\\n\\nWe regret …")', () => {
  const prompt = 'Dear Customer,\n\nWe regret that your train on 14 May was cancelled. You have been rebooked on the 07:40 service. You may request a refund within 30 days.\n\nWe apologise for any inconvenience.\n\nCustomer Care\n\nam i entitled to compensation for this?';
  assert.deepEqual(texts(prompt), ['am i entitled to compensation for this?']);
});

test('a British base form ("Summarise", "Analyse", "Prioritise") gives an order as the American one does', () => {
  assert.deepEqual(texts('Summarise this for my class in about 150 words.\n\nThe Great Green Wall was launched in 2007. It is a band of trees.\n\nIt spans many countries.'), ['Summarise this for my class in about 150 words.']);
  assert.deepEqual(texts('Prioritise the tasks below.'), ['Prioritise the tasks below.']);
});

test('a greeting without a name opening the prompt ("Hi,", "Dear assistant,") greets the model: the writer\'s own message, not a pasted letter', () => {
  const prompt = "Dear assistant,\n\nI am preparing a short talk for our residents' association about saving energy. Many residents are elderly, so please avoid technical jargon.\n\nI would like a list of measures ranked from cheapest to most expensive.\n\nThank you,\nMarie";
  assert.deepEqual(texts(prompt), ['Many residents are elderly, so please avoid technical jargon.', 'I would like a list of measures ranked from cheapest to most expensive.']);
});

test('a verb of operating on a text that the tagger reads as a name ("Refactor this …") gives an order before its object', () => {
  assert.deepEqual(texts('Refactor this into something readable. It has to stay compatible with Node 18.'), ['Refactor this into something readable.', 'It has to stay compatible with Node 18.']);
});

test('a template\'s block tags alone on their lines ("{% if … %}", "{% endif %}") and a chat role alone on its line ("SYSTEM") separate paragraphs', () => {
  const prompt = '{% if user.tier == "pro" %}\nYou are a senior support engineer for {{ product }}.\n{% else %}\nYou are a support assistant for {{ product }}.\n{% endif %}\nAnswer in two sentences.';
  assert.deepEqual(texts(prompt), ['You are a senior support engineer for {{ product }}.', 'You are a support assistant for {{ product }}.', 'Answer in two sentences.']);
  assert.deepEqual(texts('SYSTEM\nYou review pull requests.\nComment only on bugs.\n\nUSER\n{diff}'), ['You review pull requests.', 'Comment only on bugs.']);
});

test('an English clause opened by "if" is no line of code, and a label naming the reader\'s job or the answer\'s form ("your job: …") opens no material', () => {
  const prompt = 'you are a review bot for the payments repo.\nyour job: leave review comments on the diff, not rewrite the code.\nignore formatting, the linter handles that.\nif the PR touches migrations/, always ask for a rollback plan.\nteam context: we ship on Tuesdays.';
  const got = texts(prompt);
  assert.ok(got.includes('leave review comments on the diff, not rewrite the code.') && got.includes('if the PR touches migrations/, always ask for a rollback plan.'), JSON.stringify(got));
});

test('a policy or style guide the writer states ("Our policy is that we never promise a fix date") is a rule the answer must keep', () => {
  const prompt = 'A customer asked when the outage will be fixed. The engineers are still investigating. The status page is up to date. Our policy is that we never promise a fix date in writing. Draft a reply.';
  assert.deepEqual(texts(prompt), ['Our policy is that we never promise a fix date in writing.', 'Draft a reply.']);
  assert.ok(texts("I manage six support engineers and I'm writing mid-year reviews. One of them missed two deadlines. She is great with customers. Our review template requires exactly three strengths and two growth areas. Draft her review.").includes('Our review template requires exactly three strengths and two growth areas.'));
});

test('an order to operate on a bare "this" ("Summarize this for our newsletter.") points at the paragraph after, which runs on as the text', () => {
  const prompt = 'Summarize this for our school newsletter. Keep it under 200 words.\n\nWhy teenagers sleep late\n\nA 15-year-old in bed at 9:30 may be unable to fall asleep. What can families do?\n\nResearchers suggest keeping wake-up times consistent.';
  assert.deepEqual(texts(prompt), ['Summarize this for our school newsletter.', 'Keep it under 200 words.']);
});

test('a headline opening the prompt before long prose is an article pasted without a lead-in: its questions are its own', () => {
  const prompt = "Remote work is here to stay, but the rules are still being written\n\nWhen offices emptied in 2020, few companies expected the change to last. Four years on, remote and hybrid arrangements have settled into a patchwork. Some large employers have ordered staff back five days a week; others have given up their leases entirely.\n\nSo what comes next? Many firms now have two or three anchor days.\n\nI'm presenting this article to my team on Friday. Give me three questions for the discussion.";
  assert.deepEqual(texts(prompt), ['Give me three questions for the discussion.']);
  // A first line that asks or speaks as the writer is no headline.
  assert.ok(texts('Help with my cover letter please\n\nI am applying for a job as a junior data analyst at a logistics company and my cover letter feels flat and generic, and I am not sure what to change first. Should I lead with my project?').length > 0);
});

test('an obligation or a condition the writer states ("We\'re required to keep Node 18", "I\'m only interested if …") is a limit', () => {
  const got = texts("CI keeps failing on main since yesterday. I don't have admin rights on the runner. The cache was cleared. We're required to keep Node 18 until the platform team upgrades. What can I change in the workflow?");
  assert.ok(got.includes("We're required to keep Node 18 until the platform team upgrades."), JSON.stringify(got));
});

test('someone\'s rule drawn as the consequence ("…, so my physio has banned deadlifts") is a limit', () => {
  const prompt = "I'm 34 and used to play rugby. I've put on 15 kg since. I train three times a week. I have a herniated disc, so my physio has banned deadlifts for now. What should my program look like?";
  assert.deepEqual(texts(prompt), ['I have a herniated disc, so my physio has banned deadlifts for now.', 'What should my program look like?']);
});

test('a bound as the subject ("The limit is 2,500 words") is a limit, also when the request closes the prompt after labelled material', () => {
  const got = texts("I'm writing a short story for a contest. The limit is 2,500 words and the theme is endings.\n\nMy idea: a lighthouse keeper on her last day.\n\nI have the start and the end. I'd like you to suggest three scenes for the middle.");
  assert.ok(got.includes('The limit is 2,500 words and the theme is endings.'), JSON.stringify(got));
});

test('a negative order whose verb the tagger reads as an adjective ("Don\'t mock anything") is an order', () => {
  assert.deepEqual(texts("Don't mock anything."), ["Don't mock anything."]);
});

test('what the writer has to keep to ("We have to stay on GitHub-hosted runners") is a limit; a task they have ("We have to write a function") is not', () => {
  const prompt = 'Our team is moving from Jenkins to GitHub Actions. There are twelve services. Two of them use Docker. The builds take forty minutes. We have to stay on GitHub-hosted runners for now. How should we split the workflows?';
  assert.deepEqual(texts(prompt), ['We have to stay on GitHub-hosted runners for now.', 'How should we split the workflows?']);
});

test('in a prompt that gives the reader a role, a bare "Policies:" heads the assistant\'s directives; "Company policy for travel:" heads material', () => {
  const got = texts('SYSTEM: You are the helpdesk assistant of Norrland University.\n\nPolicies:\n1. Password resets are only done through the self-service portal.\n2. Be brief.\n\nThe helpdesk is staffed Monday to Friday.');
  assert.ok(got.includes('Password resets are only done through the self-service portal.') && got.includes('Be brief.'), JSON.stringify(got));
  const travel = texts('You are a travel planning assistant.\n\nCompany policy for employee travel:\nEconomy class for flights under 6 hours. Hotels up to 180 per night.\n\nWhen suggesting options, always stay within this policy.');
  assert.ok(!travel.includes('Hotels up to 180 per night.'), JSON.stringify(travel));
});

test('a labelled block under a heading naming reference data ("# Reference", "## Context") is material shown to the reader, not the task\'s fields', () => {
  const prompt = "You are Nova, the assistant in Brightbank's app.\n\n# Rules\n- Never ask for card numbers.\n- Keep answers short.\n\n# Reference\nFraud line: +44 20 7946 0999\nDaily ATM limit: GBP 500";
  assert.deepEqual(texts(prompt), ["You are Nova, the assistant in Brightbank's app.", 'Never ask for card numbers.', 'Keep answers short.']);
});

test('a line of template expressions only ("- {{ doc.title }}: {{ doc.snippet }}") stands for material', () => {
  const prompt = "Answer the customer's question below using the excerpts.\n\nDocumentation:\n{% for doc in docs %}\n- {{ doc.title }}: {{ doc.snippet }}\n{% endfor %}\n\nCustomer question:\n{{ question }}";
  assert.deepEqual(texts(prompt), ["Answer the customer's question below using the excerpts."]);
});

test('a question to the reader in the closing paragraph after labelled material ("Can you write a short, firm letter …?") orders, as an imperative does', () => {
  const prompt = "I'm cancelling my gym membership. Here are their terms.\n\nTERMS\n7.1 Members may cancel with one month's notice.\n7.2 An exit fee of 60 pounds applies.\n\nFrom: memberships@fitzone.example\nThanks for your message. As you joined on 14 May, you are still within your minimum term of twelve months, so the early exit fee applies to your account.\n\nI moved 80 miles away in October. Can you write a short, firm letter citing the right clause?";
  assert.ok(texts(prompt).includes('Can you write a short, firm letter citing the right clause?'), JSON.stringify(texts(prompt)));
});

test('a question written without its mark, as in chat ("what do these lines mean and is it my side or theirs"), is a question; a title is not', () => {
  const prompt = 'my wifi drops every evening, this is from the router log\n\nDec 02 19:58:13 kernel: wl0: link down\nDec 02 19:58:20 pppd[733]: LCP terminated by peer\nDec 02 19:58:51 pppd[733]: Connect: ppp0 <--> nas0\n\ni rent so i cant touch the modem. what do these lines mean and is it my side or theirs';
  assert.ok(texts(prompt).includes('what do these lines mean and is it my side or theirs'), JSON.stringify(texts(prompt)));
  assert.ok(!texts("Here's a blog post draft:\n\nWhy We Stopped Doing Estimates\n\nFor years we estimated every ticket. It never worked and everyone hated it.\n\nMake it punchier.").includes('Why We Stopped Doing Estimates'));
});

test('an inline "The policy: …" after the order states the rule the task applies, not material', () => {
  const prompt = 'Decide whether each expense claim is allowed under our travel policy. The policy: meals up to 35 pounds a day, no alcohol. Answer ALLOWED or NOT ALLOWED.\n\nClaim: Dinner with client, 48 pounds\nAnswer: NOT ALLOWED\n\nClaim: Lunch, 12 pounds\nAnswer:';
  assert.ok(texts(prompt).includes('Answer ALLOWED or NOT ALLOWED.'), JSON.stringify(texts(prompt)));
});

test('a headline before a long paragraph later in the prompt starts a pasted article too', () => {
  const prompt = 'Can you tell me which of these changes affect me? I live on Carver Road.\n\nCity announces bus network redesign\n\nThe city council has approved a redesign of the bus network that will take effect in March. What does it mean for riders? The changes are the largest in twenty years and are meant to make services more frequent.\n\nFares will remain unchanged.';
  assert.deepEqual(texts(prompt), ['Can you tell me which of these changes affect me?']);
});

test('a noun phrase before a modal ("Route 11 will start earlier") is a subject, not an order', () => {
  assert.deepEqual(texts('Route 11 will start earlier on weekdays.'), []);
  assert.deepEqual(texts('Write a story that will make kids laugh.'), ['Write a story that will make kids laugh.']);
});
