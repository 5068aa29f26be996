// @ts-check
// The widget's message names, defined once on this side (the Python side's table is
// hitl_notebook/widgets/session.py: ACTIONS and QUERIES; docs/widget-protocol.md).

/** Actions change the thread; each is checked against the checkpoint the widget showed. */
export const ACTION = Object.freeze({
  RUN: "run",
  NEW_THREAD: "new_thread",
  RESUME: "resume",
  UPDATE_STATE: "update_state",
  FORK: "fork",
  REPLAY: "replay",
  STEP: "step",
  CONTINUE: "continue",
  BREAKPOINT: "breakpoint",
  SELECT_THREAD: "select_thread",
  REFRESH: "refresh",
  STOP: "stop",
});

/** Queries read the thread and change nothing. */
export const QUERY = Object.freeze({
  PING: "ping",
  /** The run in progress with its durations as of now (for a page opened mid-run). */
  PROGRESS: "progress",
  THREADS: "threads",
  HISTORY: "history",
  CHECKPOINT: "checkpoint",
  DIFF: "diff",
  /** More of the items a diff's append adds ("Show more"). */
  DIFF_ITEMS: "diff_items",
  NODE_WRITES: "node_writes",
  /** The code editor bundle (hitl_notebook/static/editor.js), fetched on first use. */
  EDITOR_MODULE: "editor_module",
});
