"""Demo data for ``chinwag serve --demo``: a campaign, two users, two conversations."""

from __future__ import annotations

from dataclasses import dataclass

from chinwag.bootstrap import Runtime
from chinwag.domain.principal import Principal

SERVICE = Principal(user_id="demo-service", role="service")
ALICE = "user-alice"
BOB = "user-bob"
CAROL = "agent-carol"


@dataclass(frozen=True, slots=True)
class DemoData:
    """Ids and tokens a person needs to try the demo."""

    campaign_id: str
    real_time_conversation_id: str
    automated_conversation_id: str
    tokens: dict[str, str]


async def seed_demo(runtime: Runtime) -> DemoData:
    """Create (or find) the demo campaign and conversations; mint day-long tokens."""
    management = runtime.services.management
    existing = await management.list_conversations(SERVICE)
    by_status = {c.chat_status: c for c, _ in existing if ALICE in c.participant_ids}
    if "real_time" in by_status and "automated" in by_status:
        real_time, automated = by_status["real_time"], by_status["automated"]
        campaign_id = real_time.campaign_id
    else:
        campaign = await management.create_campaign(SERVICE, "Demo campaign", [CAROL])
        campaign_id = campaign.id
        real_time = await management.create_conversation(
            SERVICE, campaign_id, [ALICE, BOB], "real_time"
        )
        # The shipped demo flow (flows/demo.yaml): buttons, a form, then a hand-off to a person.
        automated = await management.create_conversation(
            SERVICE, campaign_id, [ALICE], "automated", flow_id="demo"
        )
    tokens = runtime.services.tokens
    return DemoData(
        campaign_id=campaign_id,
        real_time_conversation_id=real_time.id,
        automated_conversation_id=automated.id,
        tokens={
            ALICE: tokens.issue(ALICE, ttl=86400),
            BOB: tokens.issue(BOB, ttl=86400),
            CAROL: tokens.issue(CAROL, ttl=86400),
            "service": tokens.issue(SERVICE.user_id, role="service", ttl=86400),
        },
    )


def describe(demo: DemoData, base_url: str) -> str:
    """What to print so a person can connect at once."""
    lines = [
        "",
        "chinwag demo data",
        f"  campaign               {demo.campaign_id}",
        f"  real_time conversation {demo.real_time_conversation_id} (alice, bob)",
        f"  automated conversation {demo.automated_conversation_id} (alice)",
        "  tokens (24 h):",
        *(f"    {who:<12} {token}" for who, token in demo.tokens.items()),
        "",
        "Try it with socket.io-client (node, npm i socket.io-client):",
        "  node -e \"const s=require('socket.io-client').io('"
        + base_url
        + "',{auth:{token:'"
        + demo.tokens[ALICE]
        + "'}});s.onAny((e,p)=>console.log(e,JSON.stringify(p)));"
        + "s.on('authenticated',()=>s.emit('chat:send',{tempId:'t1',conversationId:'"
        + demo.real_time_conversation_id
        + "',text:'hello',clientNonce:'n'+Date.now()}))\"",
        f"Docs: {base_url}/docs   REST: {base_url}/api (Bearer token)   {base_url}/health",
        "",
    ]
    return "\n".join(lines)
