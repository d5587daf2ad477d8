import type { Actor, Verdict } from './decision';
import type { LockboxRequest, SourceKind } from './request';
import type { Confirmation } from './admin';
import type { TrackedRequest } from './tracked';

/** One lockbox product (Azure or Microsoft 365), reached over its real API. */
export interface LockboxSource {
  readonly kind: SourceKind;
  /** Every Pending request, all pages. Scopes that failed are reported, not thrown, so one bad subscription hides nothing else. */
  listPending(): Promise<SourceListing>;
  /** The request as upstream sees it now, or undefined when upstream no longer knows it. */
  getRequest(request: LockboxRequest): Promise<LockboxRequest | undefined>;
  /**
   * Throws UpstreamError (RequestGone when Microsoft no longer has the request). An "already decided"
   * answer resolves with the status upstream reports; a success answer that is not the API's own
   * (an HTML page, warnings only) resolves with `anomaly`. Neither proves the decision took effect:
   * only the request read back does.
   */
  submitDecision(request: LockboxRequest, verdict: Verdict, reason: string): Promise<SubmitAnswer>;
  /** Whether Customer Lockbox is turned on for the tenant in this product. */
  isEnabled(): Promise<boolean>;
  /** Turns Customer Lockbox on or off for the tenant in this product. */
  setEnabled(enabled: boolean): Promise<void>;
}

export interface SubmitAnswer {
  /** The status Microsoft says the request has now, when its answer says so (decided elsewhere). */
  upstreamStatus?: string;
  /** A success status whose body is not what the API answers: the call may not have reached Microsoft. */
  anomaly?: string;
}

export interface SourceListing {
  requests: LockboxRequest[];
  /** Scopes that could not be listed; their requests are left as they were. */
  failures: ScopeFailure[];
  /** Records that could not be followed at all (no id) and were left out, each with a warning in the log. */
  skipped?: number;
  /** Azure: the subscriptions listed this cycle, by name where known, so a status can say what is watched. */
  subscriptions?: { id: string; name?: string }[];
}

export interface ScopeFailure {
  scope: string;
  error: string;
  subscriptionId?: string;
  subscriptionName?: string;
}

export interface RoleCheck {
  allowed: boolean;
  /** Display names of the roles that allow this person to decide. */
  heldRoles: string[];
  /** Display names of the roles that would allow it. */
  requiredRoles: string[];
  /** Roles the person holds but that were assigned after the request was created, which Microsoft does not recognise. */
  lateRoles?: string[];
}

/**
 * 'live' for anything that lets a decision be recorded; 'cached' only for views (who gets a card,
 * /lockbox pending), where a recent answer is good enough.
 */
export type Freshness = 'live' | 'cached';

/** Who holds which role. Throws DirectoryUnavailable when it cannot answer. */
export interface Directory {
  checkApprover(userId: string, request: LockboxRequest, freshness: Freshness): Promise<RoleCheck>;
  /** May this person turn Customer Lockbox on or off for this product? Asked live, like a decision. */
  checkAdmin(userId: string, source: SourceKind): Promise<RoleCheck>;
  /** Object ids of the users who may decide the request. */
  listApprovers(request: LockboxRequest): Promise<string[]>;
  /** Best effort: a name for the audit trail when Teams did not send one. */
  lookupUser(userId: string): Promise<{ displayName?: string; userPrincipalName?: string } | undefined>;
}

export type InstallOutcome = 'requested' | 'already-installed' | 'not-permitted' | 'failed';

/** Installs the bot for a person who never opened it, so Teams opens a chat the bot can post to. */
export interface AppInstaller {
  install(userId: string): Promise<InstallOutcome>;
}

/** A personal chat the bot can post into, saved when the user installs or talks to the bot. */
export interface Conversation {
  userId: string;
  tenantId: string;
  conversationId: string;
  name?: string;
  /** The reader's Teams locale (e.g. `nl-NL`) from their latest activity, so cards sent unasked speak their language. */
  locale?: string;
  /** The channel's conversation reference, opaque to the core. */
  reference: unknown;
  updatedAt: string;
}

/** One approver's copy of a request card. */
export interface CardCopy {
  requestKey: string;
  userId: string;
  conversationId: string;
  activityId?: string;
  postedAt?: string;
}

export interface AuditEntry {
  at: string;
  kind:
    | 'request.detected'
    | 'request.status-changed'
    | 'request.scope-narrowed'
    | 'request.gone'
    | 'decision.refused'
    | 'decision.recorded'
    | 'decision.first-approval'
    | 'decision.sent'
    | 'decision.withdrawn'
    | 'decision.submitted'
    | 'decision.adopted'
    | 'decision.failed'
    | 'decision.retrying'
    | 'admin.lockbox-switched'
    | 'admin.refused'
    | 'admin.failed';
  requestKey?: string;
  actor?: Actor;
  detail: Record<string, unknown>;
}

/**
 * What a queued delivery does: the first card of a request for one approver, an information card (on-call,
 * NOTIFY_GROUP_ID, the support case's opener), a reminder, or bringing a posted card up to date. Each kind has
 * one sender in the delivery use case.
 */
export type DeliveryKind = 'request-card' | 'info-card' | 'case-opener-card' | 'reminder' | 'card-update' | 'case-opener-update';

/** Something to send into one person's chat with the bot, waiting its turn in the durable delivery queue. */
export interface Delivery {
  /** The same thing queued twice is one item: e.g. `request-card|<requestKey>|<userId>`. */
  id: string;
  kind: DeliveryKind;
  requestKey: string;
  userId: string;
  /** A reminder's milestone, e.g. `elapsed-50`. */
  milestone?: string;
  /** An information card: why the person is told, how many may decide, and the notification part it completes. */
  informedAs?: 'on-call' | 'notify-group';
  approverCount?: number;
  notification?: string;
  /** Lower goes first; see DELIVERY_PRIORITY. */
  priority: number;
  /** Among equal priorities the earliest goes first: a first card's request expiry. */
  dueBy: string;
  /** Not sent before this time: a retry's backoff, or while one worker owns a send under way. */
  availableAt: string;
  /** 'sending' once a worker took it; one found 'sending' after its time ran out belongs to a worker that died. */
  state: 'queued' | 'sending';
  attempts: number;
  enqueuedAt: string;
  lastError?: string;
}

export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Durable state. Writes that race use compare-and-set on the etag, so any backend with conditional writes fits. */
export interface Store {
  getRequest(key: string): Promise<Versioned<TrackedRequest> | undefined>;
  /** Create-if-absent: false when the key exists already. */
  insertRequest(request: TrackedRequest): Promise<boolean>;
  /**
   * Compare-and-set: the new etag, or undefined when someone else wrote since `etag` was read. The `audit` entries
   * are appended only when it succeeds: in one transaction with it where the backend has them (SQLite: after a
   * crash both are stored or neither), right after it otherwise.
   */
  replaceRequest(request: TrackedRequest, etag: string, audit?: readonly AuditEntry[]): Promise<string | undefined>;
  listOpenRequests(): Promise<Versioned<TrackedRequest>[]>;

  saveConversation(conversation: Conversation): Promise<void>;
  getConversation(userId: string): Promise<Conversation | undefined>;
  listConversations(): Promise<Conversation[]>;
  /** Forgets a chat the bot can no longer post to (uninstalled, blocked, deleted). */
  removeConversation(userId: string): Promise<void>;

  /** Create-if-absent claim on posting a card to one user, so a request is never posted twice. */
  claimCard(copy: CardCopy): Promise<boolean>;
  completeCard(requestKey: string, userId: string, activityId: string, postedAt: string): Promise<void>;
  releaseCard(requestKey: string, userId: string): Promise<void>;
  listCards(requestKey: string): Promise<CardCopy[]>;
  /** Makes this the copy of the card that follows the request for this user (e.g. one re-posted on request). */
  recordCard(copy: Required<CardCopy>): Promise<void>;

  /** Saves a confirmation, and drops those that expired before `now` (the Clock port's time, as expiry is). */
  saveConfirmation(confirmation: Confirmation, now: Date): Promise<void>;
  /** Takes a confirmation at most once: a second take of the same id finds nothing. */
  takeConfirmation(id: string): Promise<Confirmation | undefined>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** The whole trail, oldest first, a page at a time, for export. */
  exportAudit(): AsyncIterable<AuditEntry>;
  /** Newest first, by order of appending. */
  listAudit(query: { requestKey?: string; kinds?: AuditEntry['kind'][]; limit: number }): Promise<AuditEntry[]>;

  /** Create-if-absent: false when an item with this id is queued already. */
  enqueueDelivery(delivery: Delivery): Promise<boolean>;
  /**
   * enqueueDelivery for each item, in order, as one write where the backend can: for each item, whether it was
   * queued new (an item whose id is queued already, or came earlier in the list, is that item: false).
   */
  enqueueDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]>;
  /** Up to `limit` items available at `now`, in the order they go: priority, then dueBy, then enqueuedAt. */
  nextDeliveries(now: Date, limit: number): Promise<Versioned<Delivery>[]>;
  /** Compare-and-set: the new etag, or undefined when someone else changed or removed it since `etag` was read. */
  replaceDelivery(delivery: Delivery, etag: string): Promise<string | undefined>;
  /** Done with it, sent or given up; removing one that is gone already does nothing. */
  removeDelivery(id: string): Promise<void>;
  countDeliveries(): Promise<number>;

  /**
   * Takes or keeps a named lease until `now + ttlMs`: true when `holder` gets it new, takes it over after it
   * expired, or renews its own (compare-and-set, so of two contenders one wins); false while another holds it.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Gives the lease up if `holder` has it, so another may take it at once; otherwise does nothing. */
  releaseLease(name: string, holder: string): Promise<void>;

  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Posts and updates request cards in Teams; rendering is the adapter's business. */
export interface Messenger {
  postRequestCard(conversation: Conversation, request: TrackedRequest): Promise<string>;
  updateRequestCard(conversation: Conversation, activityId: string, request: TrackedRequest): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Telemetry {
  event(name: string, properties?: Record<string, string | number | boolean>): void;
  exception(error: unknown, properties?: Record<string, string>): void;
}
