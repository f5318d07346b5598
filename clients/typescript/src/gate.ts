/** A gate that operations wait at until the socket is connected and authenticated. */
import { ChatError } from "./errors.js";

interface Waiter {
  resolve: () => void;
  reject: (error: ChatError) => void;
}

/** Open while ready; `wait` resolves at once then, or when it opens, or rejects on close/timeout. */
export class ReadyGate {
  private waiters: Waiter[] = [];
  private failure: ChatError | null = null;
  private isOpen = false;

  /** Let every waiter through, and later ones at once. */
  open(): void {
    this.isOpen = true;
    this.failure = null;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w.resolve());
  }

  /** Make later waiters wait (the socket is reconnecting or re-authenticating). */
  shut(): void {
    this.isOpen = false;
  }

  /** Reject every waiter, and later ones at once, with `error` (refused, closed). */
  fail(error: ChatError): void {
    this.isOpen = false;
    this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w.reject(error));
  }

  /** Resolves when open; rejects with the failure, or with `timeout` after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new ChatError("timeout", `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
