/**
 * An independent check of instruction-span detection: prompts written for this test in styles
 * the paper's Self-Instruct prompts do not have (system prompts, templates with {placeholders},
 * chat-style requests, long pasted context, few-shot examples, Markdown sections), each with
 * character spans annotated by hand before the detector was run on them.
 *
 * Annotation guide: instruction = what the model is told to do: orders, requests, the questions
 * it is to answer, descriptions of the task or of its role, constraints on the answer, and the
 * specification of what to produce (topic, tone, length fields). Not instruction: the material
 * it operates on (pasted text, e-mails, code, transcripts, {placeholders} standing for such
 * material), few-shot demonstrations, section headers and frame labels ("Email:", "# Diff",
 * "Answer:"), bullets and numbering, and requests or questions that belong to the material
 * (a customer's question addressed to someone else).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Span } from '../../src/engine/analysis.ts';
import { detectInstructionSpans, evaluate, firstAndLastSentenceSpans, firstSentenceSpans, lastParagraphSpans, wholePromptSpans, type Scores } from '../../src/engine/spans/index.ts';

interface Case {
  prompt: string;
  /** The annotated instruction parts, as substrings of the prompt (each occurs once). */
  instruction: string[];
}

const OWN_SET: Case[] = [
  {
    prompt: 'You are a customer-support assistant for a bicycle shop. Answer politely and keep every reply under 80 words. Never promise delivery dates. If the customer asks about repairs, suggest booking an appointment online.\n\nCustomer message: Hi, my rear brake squeaks whenever it rains and the shop near my house is closed until Monday. Is that dangerous, or can I keep riding to work this week?',
    instruction: ['You are a customer-support assistant for a bicycle shop.', 'Answer politely and keep every reply under 80 words.', 'Never promise delivery dates.', 'If the customer asks about repairs, suggest booking an appointment online.', 'Is that dangerous, or can I keep riding to work this week?'],
  },
  {
    prompt: '### Instruction\nTranslate the text below from {source_language} into {target_language}. Keep names, numbers and code unchanged.\n\n### Text\n{text}\n\n### Translation\n',
    instruction: ['Translate the text below from {source_language} into {target_language}.', 'Keep names, numbers and code unchanged.'],
  },
  {
    prompt: 'hey, can you look over this paragraph from my cover letter and tell me if it sounds too stiff?\n\n"I am writing to express my interest in the Junior Data Analyst position advertised on your website. Over the past two years I have completed coursework in statistics, databases and visualization, and I have applied these skills in a volunteer project that tracked food donations for a local charity. I believe my attention to detail and my willingness to learn would make me a valuable member of your team."\n\nthanks!! also if you have time, suggest a better opening line',
    instruction: ['hey, can you look over this paragraph from my cover letter and tell me if it sounds too stiff?', 'also if you have time, suggest a better opening line'],
  },
  {
    prompt: "Here is an excerpt from a city council report.\n\nThe council approved a budget of 4.2 million for road maintenance in 2024, an increase of 12 percent over the previous year. Most of the additional money will go to resurfacing the northern ring road, which carries about 30,000 vehicles a day. Cycling groups criticised the plan because it postpones the construction of two protected bike lanes until 2026. The council argued that the ring road's surface had deteriorated faster than expected after two wet winters.\n\nBased on the excerpt, why were the bike lanes postponed? Answer in two sentences at most.",
    instruction: ['Here is an excerpt from a city council report.', 'Based on the excerpt, why were the bike lanes postponed?', 'Answer in two sentences at most.'],
  },
  {
    prompt: 'You are an expert SQL tutor.\n\nRules:\n- Explain each query step by step.\n- Use PostgreSQL syntax.\n- Do not reveal the full solution unless the student asks for it twice.\n- Your answers should be shorter than 150 words.\n\nStudent: I have a table orders(id, customer_id, total) and I need the three customers who spent the most. My attempt is SELECT customer_id FROM orders ORDER BY total DESC LIMIT 3 but it returns duplicates.',
    instruction: ['You are an expert SQL tutor.', 'Explain each query step by step.', 'Use PostgreSQL syntax.', 'Do not reveal the full solution unless the student asks for it twice.', 'Your answers should be shorter than 150 words.'],
  },
  {
    prompt: 'Write a product description for an online store.\nProduct name: {product_name}\nKey features: {features}\nTone: friendly, not pushy\nLength: about 100 words',
    instruction: ['Write a product description for an online store.', 'Product name: {product_name}', 'Key features: {features}', 'Tone: friendly, not pushy', 'Length: about 100 words'],
  },
  {
    prompt: 'Classify the sentiment of each review as positive, negative or mixed.\n\nReview: The battery lasts forever, but the screen scratches easily.\nSentiment: mixed\n\nReview: Arrived broken and support never answered my emails.\nSentiment: negative\n\nReview: Exactly what I needed for my morning runs, light and comfortable.\nSentiment:',
    instruction: ['Classify the sentiment of each review as positive, negative or mixed.'],
  },
  {
    prompt: "I'm planning a three-day trip to Lisbon in March with my parents, who don't like long walks. We love seafood and old churches. What would a relaxed itinerary look like? Ideally each day would have no more than two sights.",
    instruction: ["I'm planning a three-day trip to Lisbon in March with my parents, who don't like long walks.", 'We love seafood and old churches.', 'What would a relaxed itinerary look like?', 'Ideally each day would have no more than two sights.'],
  },
  {
    prompt: 'Your job is to extract every date mentioned in the email below and return them as a JSON list in ISO 8601 format. If no date is mentioned, return an empty list.\n\nEmail:\nDear Priya,\nthe workshop moved from 3 May to 10 May because the room was double-booked. Registration still closes on 28 April. Please forward this to the rest of the team.\nBest,\nTom',
    instruction: ['Your job is to extract every date mentioned in the email below and return them as a JSON list in ISO 8601 format.', 'If no date is mentioned, return an empty list.'],
  },
  {
    prompt: 'The task is to decide whether the two sentences mean the same thing. The answer must be a single word, yes or no.\n\nSentence 1: The meeting was postponed because the manager was ill.\nSentence 2: Because the manager was sick, the meeting was moved to a later date.\n\nAnswer:',
    instruction: ['The task is to decide whether the two sentences mean the same thing.', 'The answer must be a single word, yes or no.'],
  },
  {
    prompt: '# Role\nYou review pull requests for a Python codebase.\n\n# What to check\n1. Every public function has a docstring.\n2. New code has tests.\n3. No print statements are left in the code.\n\n# Output format\nReturn a bulleted list of problems, most serious first. Write "LGTM" if there are none.\n\n# Diff\n{diff}',
    instruction: ['You review pull requests for a Python codebase.', 'Every public function has a docstring.', 'New code has tests.', 'No print statements are left in the code.', 'Return a bulleted list of problems, most serious first.', 'Write "LGTM" if there are none.'],
  },
  {
    prompt: "Why does this function return None instead of the sum?\n\ndef total(values):\n    result = 0\n    for v in values:\n        result += v\n    print(result)\n\nI'm calling it as total([1, 2, 3]) and the output shows 6 but the variable stays None.",
    instruction: ['Why does this function return None instead of the sum?'],
  },
  {
    prompt: "Draft a reply to the customer below. Apologise for the delay, offer a 10% discount code, and sign as \"The Greenleaf Team\". Use at most 120 words.\n\nCustomer email: I ordered two planters on the 2nd and they still haven't shipped. This is the second time this has happened and I'm honestly thinking of cancelling. Can you tell me what is going on?",
    instruction: ['Draft a reply to the customer below.', 'Apologise for the delay, offer a 10% discount code, and sign as "The Greenleaf Team".', 'Use at most 120 words.'],
  },
  {
    prompt: 'Meeting notes, 14 March:\nAnna will finish the survey analysis by Friday. Ben is still waiting for the legal review of the data-sharing agreement. The team agreed to move the launch from April to May. Budget for the pilot remains unchanged.\n\nTurn these notes into a short status update for the project sponsor, in three bullet points.',
    instruction: ['Turn these notes into a short status update for the project sponsor, in three bullet points.'],
  },
  {
    prompt: 'Summarize {document} in {n} bullet points for an audience of {audience}. Do not add information that is not in the document.',
    instruction: ['Summarize {document} in {n} bullet points for an audience of {audience}.', 'Do not add information that is not in the document.'],
  },
  {
    prompt: 'Act as a patient Spanish teacher. I will write sentences in Spanish and you will correct my mistakes and explain them in English. Start by asking me what topic I want to practise.',
    instruction: ['Act as a patient Spanish teacher.', 'I will write sentences in Spanish and you will correct my mistakes and explain them in English.', 'Start by asking me what topic I want to practise.'],
  },
  {
    prompt: 'Read the passage and answer the question.\n\nPassage: Honeybees communicate the location of food through a waggle dance. The angle of the dance relative to vertical indicates the direction of the food relative to the sun, and the duration of the waggle run indicates the distance.\n\nQuestion: What does the duration of the waggle run tell other bees?',
    instruction: ['Read the passage and answer the question.', 'What does the duration of the waggle run tell other bees?'],
  },
  {
    prompt: "Follow these steps:\n1. Read the user's message.\n2. Identify the language it is written in.\n3. Reply in that language with a one-sentence greeting.\n\nUser message: Guten Morgen! Ich suche ein Hotel in der Nähe vom Bahnhof.",
    instruction: ['Follow these steps:', "Read the user's message.", 'Identify the language it is written in.', 'Reply in that language with a one-sentence greeting.'],
  },
];

/**
 * A second set, annotated by the same guide and kept out of development: it was measured only
 * before the changes and after them (docs/spans.md), never used to choose a rule.
 */
const HELD_OUT: Case[] = [
  {
    prompt: "<system>You are a concise assistant. Reply in British English.</system>\n<user>What's the difference between a latte and a flat white?</user>",
    instruction: ['You are a concise assistant.', 'Reply in British English.', "What's the difference between a latte and a flat white?"],
  },
  {
    prompt: 'Given the following job posting, list the three most important skills a candidate needs and explain why in one sentence each.\n\nJob posting:\n"""\n{job_posting}\n"""\n\nSkills:',
    instruction: ['Given the following job posting, list the three most important skills a candidate needs and explain why in one sentence each.'],
  },
  {
    prompt: 'ok so my landlord sent me this and i\'m not sure what it means:\n\n"Pursuant to clause 7(b), the tenant shall bear the cost of any repairs arising from negligence, excluding normal wear and tear, and shall notify the landlord within 14 days of discovering any damage."\n\ndoes this mean I have to pay for the broken washing machine? it just stopped working one day',
    instruction: ["ok so my landlord sent me this and i'm not sure what it means:", 'does this mean I have to pay for the broken washing machine?'],
  },
  {
    prompt: 'Extract the city and the date from each sentence.\n\nSentence: We met in Porto on 3 June.\nCity: Porto\nDate: 3 June\n\nSentence: The conference takes place in Nairobi next Friday.\nCity:',
    instruction: ['Extract the city and the date from each sentence.'],
  },
  {
    prompt: "You are Max, the virtual assistant of Northwind Bank.\n\nGuidelines:\n* Only answer questions about Northwind products.\n* Never ask for passwords or PINs.\n* If you don't know the answer, say so and offer to connect the customer with an agent.\n\nConversation so far:\nCustomer: Hello, I lost my debit card yesterday.\nMax: I'm sorry to hear that. Would you like me to block it?\nCustomer: Yes please, and can I get a new one sent to my office?",
    instruction: ['You are Max, the virtual assistant of Northwind Bank.', 'Only answer questions about Northwind products.', 'Never ask for passwords or PINs.', "If you don't know the answer, say so and offer to connect the customer with an agent.", 'Yes please, and can I get a new one sent to my office?'],
  },
  {
    prompt: 'Which of the three suppliers is cheapest for 500 units, including shipping?\n\nSupplier A charges 2.10 per unit and a flat shipping fee of 90. Supplier B charges 1.95 per unit, and shipping costs 0.40 per unit. Supplier C charges 2.30 per unit but ships for free on orders over 300 units. All three deliver within two weeks.',
    instruction: ['Which of the three suppliers is cheapest for 500 units, including shipping?'],
  },
  {
    prompt: 'List five common houseplants that tolerate low light. Format each line as: Name - watering frequency. For example: Snake plant - every 2-3 weeks.',
    instruction: ['List five common houseplants that tolerate low light. Format each line as: Name - watering frequency. For example: Snake plant - every 2-3 weeks.'],
  },
  {
    prompt: 'Make this sound friendlier but keep it short:\n\nYour request has been received. Processing takes up to ten business days. Do not contact support before then.',
    instruction: ['Make this sound friendlier but keep it short:'],
  },
  {
    prompt: 'Generate a short bedtime story for a {age}-year-old child.\nMain character: {character}\nSetting: {setting}\nThe story must end happily and must not mention monsters.',
    instruction: ['Generate a short bedtime story for a {age}-year-old child.\nMain character: {character}\nSetting: {setting}\nThe story must end happily and must not mention monsters.'],
  },
  {
    prompt: 'My sourdough starter smells like nail polish remover and has a layer of grey liquid on top. I feed it once a week and keep it in the fridge. Is it dead, and how do I fix it?',
    // Facts of the writer's situation are not instruction (docs/spans.md, annotation guide): only the question.
    instruction: ['Is it dead, and how do I fix it?'],
  },
  {
    prompt: 'Review the following function for bugs and performance problems, and suggest a corrected version.\n\n```js\nfunction unique(arr) {\n  const out = [];\n  for (const x of arr) if (out.indexOf(x) === -1) out.push(x);\n  return out;\n}\n```',
    instruction: ['Review the following function for bugs and performance problems, and suggest a corrected version.'],
  },
  {
    prompt: 'Your job is to interview the user about their last holiday, one question at a time. Ask follow-up questions when an answer is vague. When you have asked five questions, thank the user and write a two-sentence summary of their trip.',
    instruction: ['Your job is to interview the user about their last holiday, one question at a time. Ask follow-up questions when an answer is vague. When you have asked five questions, thank the user and write a two-sentence summary of their trip.'],
  },
];

function ownSetItems(set: Case[] = OWN_SET): Array<{ prompt: string; reference: Span[] }> {
  return set.map(({ prompt, instruction }) => ({
    prompt,
    reference: instruction.map((text) => {
      const start = prompt.indexOf(text);
      assert.ok(start >= 0 && prompt.indexOf(text, start + 1) < 0, `annotation occurs once: ${text}`);
      return { start, end: start + text.length, text };
    }),
  }));
}

test('own prompts (system prompts, templates, chat, long context): agreement with hand annotations', () => {
  const show = (name: string, s: Scores) => console.log(`${name.padEnd(22)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`);
  const detect = (p: string) => detectInstructionSpans(p);
  const dev = ownSetItems(OWN_SET);
  const held = ownSetItems(HELD_OUT);
  const devScores = evaluate(dev, detect);
  const heldScores = evaluate(held, detect);
  show(`own set (${dev.length})`, devScores);
  show(`held-out set (${held.length})`, heldScores);
  const baselines = { 'whole prompt': wholePromptSpans, 'first sentence': firstSentenceSpans, 'first and last sentence': firstAndLastSentenceSpans, 'last paragraph': lastParagraphSpans };
  for (const [label, baseline] of Object.entries(baselines)) {
    for (const [set, items, scores] of [['own set', dev, devScores], ['held-out set', held, heldScores]] as const) {
      const s = evaluate(items, baseline);
      show(`  ${set}, ${label}`, s);
      assert.ok(scores.f1 > s.f1, `${set}: detection F1 ${scores.f1.toFixed(3)} beats the ${label} baseline ${s.f1.toFixed(3)}`);
    }
  }
  assert.ok(devScores.f1 >= OWN_F1_FLOOR, `own-set F1 ${devScores.f1.toFixed(3)} fell below ${OWN_F1_FLOOR}`);
  assert.ok(heldScores.f1 >= HELD_OUT_F1_FLOOR, `held-out F1 ${heldScores.f1.toFixed(3)} fell below ${HELD_OUT_F1_FLOOR}`);
});

/** The measured F1 on each set, 0.9789 and 0.9879, rounded down (see docs/spans.md, "Fifth round"): a drop fails. */
const OWN_F1_FLOOR = 0.978;
const HELD_OUT_F1_FLOOR = 0.987;
