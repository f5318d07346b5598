/**
 * Per-conversation delivery in `seq` order: every message reaches the listeners once, and a
 * gap (a message whose seq is more than one past the last delivered) is filled with `chat:sync`
 * before anything after it is delivered.
 */
import type { ChatSyncedPayload, Message } from "./events.js";

/** Fetches one page of messages after `afterSeq` (the client's `chat:sync`). */
export type SyncPage = (conversationId: string, afterSeq: number) => Promise<ChatSyncedPayload>;

interface Track {
  lastSeq: number;
  /** The running catch-up, if any; `again` asks it for one more round when it ends. */
  running: Promise<void> | null;
  again: boolean;
}

/** Orders and deduplicates messages of the conversations the client follows. */
export class SeqTracker {
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly syncPage: SyncPage,
    private readonly deliver: (message: Message) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Follow `conversationId`, having shown everything up to `lastSeq` (0: nothing yet). */
  follow(conversationId: string, lastSeq: number): void {
    const track = this.tracks.get(conversationId);
    if (track === undefined) {
      this.tracks.set(conversationId, { lastSeq, running: null, again: false });
    } else {
      track.lastSeq = Math.max(track.lastSeq, lastSeq);
    }
  }

  /** Stop following `conversationId`. */
  unfollow(conversationId: string): void {
    this.tracks.delete(conversationId);
  }

  /** The conversations followed. */
  get conversations(): string[] {
    return [...this.tracks.keys()];
  }

  /** The highest seq delivered for `conversationId` (undefined when not followed). */
  lastSeq(conversationId: string): number | undefined {
    return this.tracks.get(conversationId)?.lastSeq;
  }

  /** A message arrived (chat:new, chat:automated, an ack): deliver it, or catch up first. */
  receive(message: Message): void {
    const track = this.tracks.get(message.conversation_id);
    if (track === undefined) {
      this.deliver(message);
      return;
    }
    if (message.seq <= track.lastSeq) return; // already shown (a resend's ack, a sync overlap)
    if (message.seq === track.lastSeq + 1 && track.running === null) {
      track.lastSeq = message.seq;
      this.deliver(message);
      return;
    }
    // A gap, or a catch-up is under way: the sync pages bring this message in order.
    void this.catchUp(message.conversation_id);
  }

  /** Fetch and deliver everything after the last delivered seq (after a reconnect or a gap). */
  catchUp(conversationId: string): Promise<void> {
    const track = this.tracks.get(conversationId);
    if (track === undefined) return Promise.resolve();
    if (track.running !== null) {
      track.again = true;
      return track.running;
    }
    track.running = this.run(conversationId, track).finally(() => {
      track.running = null;
    });
    return track.running;
  }

  private async run(conversationId: string, track: Track): Promise<void> {
    do {
      track.again = false;
      try {
        for (;;) {
          const page = await this.syncPage(conversationId, track.lastSeq);
          for (const message of page.messages) {
            if (message.seq > track.lastSeq) {
              track.lastSeq = message.seq;
              this.deliver(message);
            }
          }
          if (!page.hasMore || page.messages.length === 0) break;
        }
      } catch (error) {
        // A failed sync is retried on the next gap or reconnect; the caller decides what to show.
        this.onError(error);
        return;
      }
    } while (track.again && this.tracks.has(conversationId));
  }
}
