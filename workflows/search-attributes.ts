// Custom search attributes: the Web UI filters pipelines and Twin runs by these ("all runs of agent X",
// "failed pipelines"). The dev server registers them at start from this same list, so the names live once.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PipelineNameKey = defineSearchAttributeKey('TwinflowPipeline', SearchAttributeType.KEYWORD);
export const PipelineStatusKey = defineSearchAttributeKey('TwinflowStatus', SearchAttributeType.KEYWORD);
export const AgentIdsKey = defineSearchAttributeKey('TwinAgentIds', SearchAttributeType.KEYWORD_LIST);
export const RunIdsKey = defineSearchAttributeKey('TwinRunIds', SearchAttributeType.KEYWORD_LIST);
export const RunStatusKey = defineSearchAttributeKey('TwinRunStatus', SearchAttributeType.KEYWORD);
export const RunOutcomeKey = defineSearchAttributeKey('TwinRunOutcome', SearchAttributeType.KEYWORD);

/** Every custom search attribute twinflow sets, for registering them with a server. */
export const SEARCH_ATTRIBUTE_KEYS = [
  PipelineNameKey,
  PipelineStatusKey,
  AgentIdsKey,
  RunIdsKey,
  RunStatusKey,
  RunOutcomeKey,
] as const;

const DEV_SERVER_TYPE_NAMES = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList' } as const;

/** `--search-attribute Name=Type` values for `temporal server start-dev`. */
export const DEV_SERVER_SEARCH_ATTRIBUTES: readonly string[] = SEARCH_ATTRIBUTE_KEYS.map(
  (key) => `${key.name}=${DEV_SERVER_TYPE_NAMES[key.type]}`,
);
