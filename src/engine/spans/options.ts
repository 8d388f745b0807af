/** The switches of span detection, one per rule family (tools/spans and tests turn them off to measure a rule). */

export interface DetectOptions {
  /**
   * Count a label that opens a material section ("Input:", "Output:") as instruction. The paper's
   * annotations treat these template labels as frame, not instruction; field labels inside
   * the material ("Genre:", "Item:") count either way.
   */
  frameMarkers?: boolean;
  /** Material of at most this many words is a task parameter (a topic, a title, a search term): instruction. */
  parameterWords?: number;
  /** Keep statements that share a paragraph with an instruction (background the task relies on). */
  context?: boolean;
  /** Count the questions inside long material (a question the material itself asks). */
  materialQuestions?: boolean;
  /** Read a last paragraph after the material that only instructs as instruction. */
  closingInstructions?: boolean;
  /**
   * Tell the material a task operates on ("Rewrite the text", "Classify the email": the text is
   * not instruction, however short) from the specification of something to produce ("Write a
   * review of the product", "Plan the trip": short material is a task parameter).
   */
  operands?: boolean;
  /**
   * Pasted material without a label (code, logs, a quotation, an e-mail, the paragraphs a lead-in
   * introduces) is not instruction: from the first such paragraph to the last.
   */
  pasted?: boolean;
  /** A paragraph's statements count as context only when it has at most this many (a short setup, not a story). */
  contextStatements?: number;
  /** … and when those statements have at most this many words together. */
  contextWords?: number;
  /** Short material made of repeated labels (few-shot examples, turns) is not a task parameter. */
  examples?: boolean;
  /** Statements listed after a lead-in inside a paragraph ("… like these:\n- …") are items, not context. */
  leadInItems?: boolean;
  /** A placeholder alone on its line ("{context}", "{{document}}") stands for pasted material: not instruction. */
  placeholders?: boolean;
  /** A labelled line inside a paragraph, right after an order, is a field of the task, not a frame marker. */
  inlineFields?: boolean;
  /** Items under a head naming directives ("Rules:", "Requirements …:") count; a bare label heading a list does not. */
  directiveItems?: boolean;
  /** … and the orders of a last paragraph after the material that also tells something ("I'm 27. Lay out the pros and cons."). */
  closingOrders?: boolean;
  /**
   * In a template instance (instruction, material, empty answer slot such as "Output:"), prose
   * material of at most this many words that the task produces from (not operates on) is the
   * task's specification and counts whole, like a task parameter; a record of labelled fields
   * does not. 0 turns it off.
   */
  specificationWords?: number;
  /**
   * Facts of the writer's own situation ("I have a 3-year-old laptop.", "My daughter is 7.") are
   * the subject of the question, not context, unless they state a limit (see `constraints`).
   */
  ownFacts?: boolean;
  /**
   * A statement of a limit, a requirement or a preference ("We don't own a microwave.", "Our
   * budget is tight.") counts wherever it stands in the instruction part of a prompt that
   * instructs, even in a paragraph of background.
   */
  constraints?: boolean;
  /**
   * A transcript's turns (a paragraph whose speaker labels repeat: "Alex: …\nBeth: …\nAlex: …")
   * ask their questions of each other, not of the model, unless the task is to answer them.
   */
  turns?: boolean;
  /** The paragraph after one that names a text with a demonstrative ("Translate this press release …") is that text, unless it instructs. */
  textPointers?: boolean;
  /**
   * In a prompt with pasted or labelled material (code, a log, an e-mail, a quotation), the statements next to
   * the request are facts about that material or the writer's situation ("It's supposed to return
   * the median.", "Nothing changed in the script."), not context, unless they state a limit.
   */
  pastedFacts?: boolean;
  /** Items under a Markdown heading naming directives or what the reader does ("## What to check") count whatever their grammar. */
  headingDirectives?: boolean;
  /** A last paragraph after labelled material that is a message (a greeting first, a sign-off) is material, not the closing request. */
  closingMessages?: boolean;
  /** A lead-in "Here is/are …:" closing a paragraph before more of the prompt only points at it, as other lead-ins do. */
  herePointers?: boolean;
  /** Pasted material runs on over the paragraphs after it up to one that instructs, one in the writer's voice, or the last one. */
  pastedRuns?: boolean;
}

export const DEFAULT_OPTIONS: Required<DetectOptions> = { frameMarkers: false, parameterWords: 20, context: true, materialQuestions: true, closingInstructions: true, operands: true, pasted: true, contextStatements: 3, contextWords: 50, examples: true, leadInItems: true, placeholders: true, inlineFields: true, closingOrders: true, directiveItems: true, specificationWords: 90, ownFacts: true, constraints: true, turns: true, textPointers: true, pastedFacts: true, headingDirectives: true, closingMessages: true, herePointers: true, pastedRuns: true };
