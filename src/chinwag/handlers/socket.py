"""The service's implementation of the generated handler base: one method per event.

Each method validates nothing itself (the transport hands it a model already checked
against the contract), calls one use case, and returns the success reply. Failures are
raised as ``ChinwagError``; the transport turns them into the operation's error reply.
"""

from __future__ import annotations

from chinwag.domain.message import PAGE_MAX, Attachment
from chinwag.domain.time import format_timestamp
from chinwag.handlers.context import SocketContext, require_principal
from chinwag.handlers.presenters import message_to_wire
from chinwag.handlers.sync_page import cut_page
from chinwag.services.container import Services
from chinwag_contract.emitter import conversation_room, work_room
from chinwag_contract.handlers import ChinwagHandlers
from chinwag_contract.models import (
    AuthenticatedPayload,
    AuthenticatePayload,
    ChatAckPayload,
    ChatActionAckPayload,
    ChatActionPayload,
    ChatJoinedPayload,
    ChatJoinPayload,
    ChatLeavePayload,
    ChatLeftPayload,
    ChatReadByIds,
    ChatReadReceiptPayload,
    ChatReadRequestPayload,
    ChatSendPayload,
    ChatSyncedPayload,
    ChatSyncPayload,
    WorkJoinedPayload,
    WorkJoinPayload,
    WorkLeavePayload,
    WorkLeftPayload,
)


class SocketHandlers(ChinwagHandlers[SocketContext]):
    """chinwag's socket event handlers."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def on_authenticate(
        self, ctx: SocketContext, payload: AuthenticatePayload
    ) -> AuthenticatedPayload:
        """Verify the token and bind the socket to its user."""
        verified = await self.services.tokens.verify_async(payload.token)
        await ctx.authenticate(verified.principal, verified.expires_at)
        return AuthenticatedPayload(userId=verified.principal.user_id)

    async def on_chat_join(self, ctx: SocketContext, payload: ChatJoinPayload) -> ChatJoinedPayload:
        """Join a conversation room after the access check."""
        principal = require_principal(ctx)
        await self.services.chat.join_conversation(principal, payload.conversationId)
        await ctx.enter_room(conversation_room(payload.conversationId))
        return ChatJoinedPayload(conversationId=payload.conversationId)

    async def on_chat_leave(self, ctx: SocketContext, payload: ChatLeavePayload) -> ChatLeftPayload:
        """Leave a conversation room (access is checked so ids are not probed)."""
        principal = require_principal(ctx)
        await self.services.chat.join_conversation(principal, payload.conversationId)
        await ctx.leave_room(conversation_room(payload.conversationId))
        return ChatLeftPayload(conversationId=payload.conversationId)

    async def on_chat_send(self, ctx: SocketContext, payload: ChatSendPayload) -> ChatAckPayload:
        """Store a message (idempotent by clientNonce) and acknowledge it."""
        principal = require_principal(ctx)
        attachments = tuple(
            Attachment(url=a.url, name=a.name, mime_type=a.mime_type, size_bytes=a.size_bytes)
            for a in payload.attachments or ()
        )
        result = await self.services.chat.send(
            principal,
            payload.conversationId,
            text=payload.text,
            attachments=attachments,
            client_nonce=payload.clientNonce,
            origin=ctx.sid,
        )
        return ChatAckPayload.model_validate(
            {"tempId": payload.tempId, "message": message_to_wire(result.message)}
        )

    async def on_chat_action(
        self, ctx: SocketContext, payload: ChatActionPayload
    ) -> ChatActionAckPayload:
        """Answer a flow prompt (idempotent by clientNonce) and acknowledge the stored answer."""
        principal = require_principal(ctx)
        result = await self.services.flows.answer(
            principal,
            payload.conversationId,
            message_id=payload.messageId,
            prompt_id=payload.promptId,
            client_nonce=payload.clientNonce,
            action_id=payload.actionId,
            values=payload.values,
            origin=ctx.sid,
        )
        return ChatActionAckPayload.model_validate(
            {"clientNonce": payload.clientNonce, "message": message_to_wire(result.message)}
        )

    async def on_chat_read(
        self, ctx: SocketContext, payload: ChatReadRequestPayload
    ) -> ChatReadReceiptPayload:
        """Mark messages read; the receipt lists only newly read ids."""
        principal = require_principal(ctx)
        request = payload.root
        if isinstance(request, ChatReadByIds):
            result = await self.services.chat.mark_read(
                principal,
                request.conversationId,
                message_ids=tuple(request.messageIds),
                origin=ctx.sid,
            )
        else:
            result = await self.services.chat.mark_read(
                principal,
                request.conversationId,
                up_to_message_id=request.upToMessageId,
                origin=ctx.sid,
            )
        return ChatReadReceiptPayload(
            messageIds=list(result.message_ids),
            readerId=result.reader_id,
            readAt=format_timestamp(result.read_at),
            conversationId=result.conversation_id,
        )

    async def on_work_join(self, ctx: SocketContext, payload: WorkJoinPayload) -> WorkJoinedPayload:
        """Join a campaign work room (members and the service role)."""
        principal = require_principal(ctx)
        await self.services.chat.join_campaign(principal, payload.campaignId)
        await ctx.enter_room(work_room(payload.campaignId))
        return WorkJoinedPayload(campaignId=payload.campaignId)

    async def on_work_leave(self, ctx: SocketContext, payload: WorkLeavePayload) -> WorkLeftPayload:
        """Leave a campaign work room."""
        principal = require_principal(ctx)
        await self.services.chat.join_campaign(principal, payload.campaignId)
        await ctx.leave_room(work_room(payload.campaignId))
        return WorkLeftPayload(campaignId=payload.campaignId)

    async def on_chat_sync(self, ctx: SocketContext, payload: ChatSyncPayload) -> ChatSyncedPayload:
        """A page of messages after ``afterSeq``, in seq order (≤ 200, about ≤ 512 KiB)."""
        principal = require_principal(ctx)
        messages, has_more = await self.services.chat.sync(
            principal,
            payload.conversationId,
            after_seq=payload.afterSeq,
            limit=payload.limit or PAGE_MAX,
        )
        wire, has_more = cut_page([message_to_wire(m) for m in messages], has_more)
        return ChatSyncedPayload.model_validate(
            {"conversationId": payload.conversationId, "messages": wire, "hasMore": has_more}
        )
