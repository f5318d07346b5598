/** The REST calls the demo makes with the user's token (history, conversation list). */
import type { Conversation, Message } from "../../typescript/src/index.js";

/** A conversation row as GET /api/conversations returns it (unread_count for the caller). */
export type ConversationItem = Conversation & { unread_count: number };

/** The newest seq REST accepts: `before_seq` of it asks for the latest page. */
const NEWEST = 9007199254740991;

async function get<T>(path: string, token: string): Promise<T> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new Error(`${body.error?.code ?? response.status}: ${body.error?.message ?? response.statusText}`);
  }
  return (await response.json()) as T;
}

/** The caller's conversations. */
export async function conversations(token: string): Promise<ConversationItem[]> {
  return (await get<{ items: ConversationItem[] }>("/api/conversations", token)).items;
}

/** One conversation. */
export function conversation(id: string, token: string): Promise<Conversation> {
  return get<Conversation>(`/api/conversations/${id}`, token);
}

/** A page of messages before `beforeSeq` (the newest page when omitted), ascending. */
export async function history(id: string, token: string, beforeSeq = NEWEST, limit = 30): Promise<Message[]> {
  const query = `before_seq=${beforeSeq}&limit=${limit}`;
  return (await get<{ items: Message[] }>(`/api/conversations/${id}/messages?${query}`, token)).items;
}
