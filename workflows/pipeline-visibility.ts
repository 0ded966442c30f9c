// What a pipeline shows the Web UI: its name, status, the agents it used and the Twin runs it started, as search
// attributes, so "failed pipelines" and "all pipelines that used agent X" are one filter away. Shared by the
// interpreter and by pipelines written as plain workflow functions. Each upsert is a history event, so only
// changes are written; lists are bounded to fit Temporal's per-value size limit (2 KB by default).
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PipelineStatus } from './pipeline-api.js';
import { AgentIdsKey, PipelineNameKey, PipelineStatusKey, RunIdsKey } from './search-attributes.js';

/** Leaves room below the server's 2 KB per-value limit for the JSON encoding. */
const MAX_LIST_BYTES = 1_800;

/** The newest entries whose JSON encoding fits in `maxBytes`; the full lists live in the pipeline's state. */
function boundedKeywordList(values: readonly string[], maxBytes = MAX_LIST_BYTES): string[] {
  const kept: string[] = [];
  let bytes = 2;
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i] ?? '';
    bytes += value.length + 3;
    if (bytes > maxBytes) break;
    kept.unshift(value);
  }
  return kept;
}

export interface PipelineVisibilitySnapshot {
  status: PipelineStatus;
  agentIds: readonly string[];
  runIds: readonly string[];
}

export interface PipelineVisibility {
  /** Upserts whatever differs from what the workflow already shows. */
  publish(snapshot: PipelineVisibilitySnapshot): void;
}

export function createPipelineVisibility(pipelineName: string): PipelineVisibility {
  // After continue-as-new the attributes carry over: start from what is already shown, not from nothing.
  let shown = workflowInfo().typedSearchAttributes;
  return {
    publish(snapshot) {
      const wanted: SearchAttributeUpdatePair[] = [
        { key: PipelineNameKey, value: pipelineName },
        { key: PipelineStatusKey, value: snapshot.status },
        { key: AgentIdsKey, value: boundedKeywordList([...new Set(snapshot.agentIds)]) },
        { key: RunIdsKey, value: boundedKeywordList(snapshot.runIds) },
      ];
      const updates = wanted.filter(({ key, value }) => {
        const current = shown.get(key) ?? (Array.isArray(value) ? [] : null);
        return JSON.stringify(current) !== JSON.stringify(value);
      });
      if (updates.length === 0) return;
      upsertSearchAttributes(updates);
      shown = shown.updateCopy(updates);
    },
  };
}
