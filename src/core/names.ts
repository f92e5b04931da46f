/**
 * Names shared across the product's parts — storage keys, databases, channels, locks — and the
 * id pattern, so that every part that must agree on one reads it from here.
 */

/** Random ids (visitor, event, workspace, member): base64url, 16 to 64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** IndexedDB databases. */
export const databaseName = {
  /** The workspaces this browser belongs to. */
  local: 'converge',
  workspace: (workspace: string): string => `converge-ws-${workspace}`,
} as const;

/** BroadcastChannels between the tabs of one person. */
export const channelName = {
  /** The team doc's sync between the person's tabs. */
  doc: (workspace: string): string => `converge-doc-${workspace}`,
  /** Lead changes from the leader tab to the others. */
  leads: (workspace: string): string => `converge-leads-${workspace}`,
} as const;

/** Web Locks. */
export const lockName = {
  /** Held by the one tab that leads intake, projection and the relay snapshot. */
  leader: (workspace: string): string => `converge-leader-${workspace}`,
} as const;

/** localStorage keys: the app's on its own origin, the widget's on the customer's site. */
export const storageKey = {
  currentWorkspace: 'converge:current-workspace',
  listView: (workspace: string, member: string, kind: string): string =>
    `converge:list:${workspace}:${member}:${kind}`,
  /** The Overview's period, per member. */
  overview: (workspace: string, member: string): string =>
    `converge:overview:${workspace}:${member}`,
  visitor: (workspace: string): string => `converge:${workspace}:visitor`,
  outbox: (workspace: string): string => `converge:${workspace}:outbox`,
  /** Consent mode: set once the visitor consented, so later pages record at once. */
  consent: (workspace: string): string => `converge:${workspace}:consent`,
} as const;
