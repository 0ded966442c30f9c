// The contract of `twig-data-source/<data_source_id>`: the one place where a Twig `data_source.synced` webhook meets
// the `twig.sync` steps waiting for that data source. A step registers with signal-with-start before it waits; the
// provider-event workflow tells the watch when a synced event arrived, and the watch nudges every waiter once. A
// nudge is a hint to read the status now, never a result: the event may be an earlier sync's, or not Twig's at all
// (A14). Pure: the bundle, the activity and the provider-event workflow import it.
import { defineSignal } from '@temporalio/workflow';

/** Workflow type of the body, for clients that start it by name. */
export const TWIG_DATA_SOURCE_WATCH_WORKFLOW_TYPE = 'twigDataSourceWatchWorkflow';

export const TWIG_DATA_SOURCE_WATCH_ID_PREFIX = 'twig-data-source/';

/** `twig-data-source/<data_source_id>`: every step waiting for one data source meets in the same workflow. */
export function twigDataSourceWatchWorkflowId(dataSourceId: string): string {
  return `${TWIG_DATA_SOURCE_WATCH_ID_PREFIX}${dataSourceId}`;
}

/** A step that waits for the data source to sync. */
export interface TwigSyncWaiter {
  /** The pipeline workflow the nudge goes to. */
  workflowId: string;
  stepId: string;
  /** The step's deadline (ISO time): past it the waiter is forgotten, so a watch nobody nudges still ends. */
  until: string;
}

/** The watch's state, also what a continue-as-new hands on. */
export interface TwigDataSourceWatchInput {
  dataSourceId: string;
  waiters: TwigSyncWaiter[];
}

export type TwigDataSourceWatchWorkflow = (input: TwigDataSourceWatchInput) => Promise<void>;

/** To the watch: one more step waits (sent with signal-with-start). */
export const watchTwigSyncSignal = defineSignal<[TwigSyncWaiter]>('watchTwigSync');
/** To the watch: a `data_source.synced` webhook for its data source was received. */
export const twigDataSourceSyncedSignal = defineSignal('twigDataSourceSynced');
/** To a pipeline: the step with this ID should read its data source's status now. */
export const twigSyncNudgedSignal = defineSignal<[string]>('twigSyncNudged');

/** The activity a step runs on the internal queue to register (activities/data-source-watch.ts). */
export interface TwigWatchActivities {
  /** `taskQueue`: the pipeline's own, where the watch runs too. */
  watchTwigDataSource(input: {
    dataSourceId: string;
    waiter: TwigSyncWaiter;
    taskQueue: string;
  }): Promise<void>;
}
