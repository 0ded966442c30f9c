// What Twin.ai answers, as zod schemas. Rule (docs/twin-ai-contract.md, "Which fields are required"): a field is
// required only when the seed shows it in every example AND a caller cannot act without it — the answer text, its
// confidence and escalation flag, a document's or escalation's `id`, the list arrays, delete's `deleted`. Every
// other field the seed shows is `shown()`: typed when present, but absence and null both parse, because the seed's
// own quick-start answer omits `escalateReason`, which proves examples are not complete. Fields the seed never
// shows are not typed; objects are loose, so they reach callers as extras. Nothing is defaulted: a missing field
// stays missing rather than becoming `false`, `[]` or `0` that Twin never said.
import { z } from 'zod';
import type { KbDocType } from './requests.js';

/** A field the seed shows but a caller can do without. */
const shown = <T extends z.ZodType>(schema: T) => schema.nullish();
const id = z.string().min(1);
/** Unknown words are kept, not refused: a new document type or status must not break a list. */
const word = <K extends string>() => z.string() as z.ZodType<K | (string & {})>;
const unitInterval = z.number().min(0).max(1);

export const askResponseSchema = z.looseObject({
  response: z.string(),
  /** "0.0–1.0. How well the KB supported the answer." */
  confidence: unitInterval,
  shouldEscalate: z.boolean(),
  /** "Null if shouldEscalate is false"; absent in the seed's quick-start answer. */
  escalateReason: shown(z.string()),
  /** Titles of KB documents, not IDs. */
  sources: shown(z.array(z.string())),
});

const docFields = {
  id,
  title: shown(z.string()),
  type: shown(word<KbDocType>()),
  source: shown(z.string()),
  hits: shown(z.number()),
  createdAt: shown(z.string()),
};

/** A list entry: the seed shows no `content` here. */
export const kbDocSummarySchema = z.looseObject(docFields);
export const kbDocSchema = z.looseObject({ ...docFields, content: shown(z.string()) });

export const kbDocListSchema = z.looseObject({ docs: z.array(kbDocSummarySchema), total: shown(z.number()) });
export const kbDocEnvelopeSchema = z.looseObject({ doc: kbDocSchema });

/**
 * The seed shows no answer to a create (A4). Whatever object came is returned; a `doc`, if present, is checked like
 * GET's. Without one the caller has no ID, and the client does not make one up.
 */
export const createdDocSchema = z.looseObject({ doc: kbDocSchema.optional() });

export const deletedSchema = z.looseObject({ deleted: z.boolean() });

export const ESCALATION_STATUSES = ['open', 'resolved'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

export const escalationSchema = z.looseObject({
  id,
  question: shown(z.string()),
  askedBy: shown(z.string()),
  confidence: shown(unitInterval),
  reason: shown(z.string()),
  status: shown(word<EscalationStatus>()),
  createdAt: shown(z.string()),
  resolvedAt: shown(z.string()),
});

export const escalationListSchema = z.looseObject({
  escalations: z.array(escalationSchema),
  total: shown(z.number()),
});

/** The seed shows no answer to the resolve PATCH (A5): any object, or none, is returned as received. */
export const resolvedEscalationSchema = z.looseObject({});

export const statsSchema = z.looseObject({
  totalAnswered: shown(z.number()),
  totalEscalated: shown(z.number()),
  avgConfidence: shown(z.number()),
  handleRate: shown(z.number()),
  totalSavedMinutes: shown(z.number()),
  kbDocCount: shown(z.number()),
});

export type AskResponse = z.infer<typeof askResponseSchema>;
export type KbDocSummary = z.infer<typeof kbDocSummarySchema>;
export type KbDoc = z.infer<typeof kbDocSchema>;
export type KbDocList = z.infer<typeof kbDocListSchema>;
export type KbDocEnvelope = z.infer<typeof kbDocEnvelopeSchema>;
export type CreatedDoc = z.infer<typeof createdDocSchema>;
export type Deleted = z.infer<typeof deletedSchema>;
export type Escalation = z.infer<typeof escalationSchema>;
export type EscalationList = z.infer<typeof escalationListSchema>;
export type ResolvedEscalation = z.infer<typeof resolvedEscalationSchema>;
export type TwinAiStats = z.infer<typeof statsSchema>;
