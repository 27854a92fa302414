"""The legal skill: personal-data requests, contracts, terms, policies and compliance."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox

_ERASURE = r"\b(delete|erase|erasure|forget|forgotten|anonymi[sz]e|remove (all|their|her|his))"
_EXPORT = (
    r"\b(export|copy of|access request|portable|article 15|subject access|disclos\w*|"
    r"everything we (know|hold)|all personal data|personal data we hold)"
)
_CONTRACT = r"\b(contracts?|agreements?|msa|sla|dpa|indemnit\w*|renew\w*|termination|liabilit\w*)\b"
_TERMS = r"\bterms\b"
_POLICY = r"\bpolic(y|ies)\b|\bretention\b|\bretain\b|\bprivacy\b"
_STOP = {
    "what", "does", "our", "the", "with", "about", "say", "show", "me", "is", "there", "and",
    "for", "are", "any", "all", "who", "how", "when", "which", "place", "company", "customer",
}  # fmt: skip


def legal(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Handle one legal subtask; erasure is proposed and every answer goes to a person."""
    text = task.description
    # Another language, or a repeat it cannot see: asked, not answered with unasked documents
    if (question := cannot_read(text)) is not None:
        empty: dict[str, Any] = {
            "summary": "",
            "request_type": "compliance",
            "customer_id": None,
            "documents": [],
        }
        return asked_back(empty, task, "compliance", question)
    customer = p.find_customer(tools, text)
    out: dict[str, Any] = {
        "summary": "",
        "request_type": "compliance",
        "customer_id": customer["id"] if customer else None,
        "documents": [],
    }
    notes: list[str] = []
    if p.has(text, _ERASURE):
        out["request_type"] = "erasure"
        _erasure(text, tools, customer, out, notes)
    elif p.has(text, _EXPORT) and (customer or not p.has(text, _CONTRACT)):
        out["request_type"] = "export"
        _export(tools, customer, out, notes)
    elif p.has(text, _CONTRACT) and not p.has(text, r"\bterms\b"):
        out["request_type"] = "contract"
        _documents(text, tools, "contract", customer, out, notes)
    elif p.has(text, _TERMS):
        out["request_type"] = "terms"
        _documents(text, tools, "terms", None, out, notes)
    elif p.has(text, _POLICY):
        out["request_type"] = "policy"
        _documents(text, tools, "policy", None, out, notes)
    else:
        _documents(text, tools, None, None, out, notes)
    # Before a question, which stays the summary's last note (parsing.ask)
    notes.insert(
        len(notes) - ("question" in out), "a person reviews every legal answer before it is used"
    )
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=out["request_type"])


def _erasure(
    text: str,
    tools: ToolBox,
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> None:
    if customer is None:
        # Nothing was erased or proposed: the turn waits for whose data it is (needs_input),
        # as billing's and support's requests that name no record do, rather than end `done`.
        p.ask(out, notes, "an erasure request needs the customer's id, email or full name, and "
              "none matched a customer; nothing was proposed. Whose personal data should be "
              "erased (CUS-…, email or full name)?")  # fmt: skip
        return
    if p.several_asked(out, notes, p.who(p.find_customers(tools, text, customer)), "erasure"):
        return
    held = tools.call("export_customer_data", customer_id=customer["id"])
    counts = {k: len(v) for k, v in held.items() if isinstance(v, list)}
    out["export"] = {"counts": counts}
    tools.propose(
        "erase_customer_data",
        description=f"Erase the personal data of {customer['name']} ({customer['id']})",
        customer_id=customer["id"],
        reason=p.redact(p.short(text, 200)),
    )
    retention = tools.call("search_documents", query="data retention invoices", kind="policy")
    out["documents"] = [{"id": d["id"], "title": d["title"]} for d in retention[:1]]
    notes.append(
        f"proposed erasing the personal data of {customer['name']} ({customer['id']}): "
        f"{counts.get('tickets', 0)} tickets and {counts.get('emails', 0)} emails are "
        "anonymised; invoices and payment amounts are kept for tax law (retention policy)"
    )


def _export(
    tools: ToolBox, customer: dict[str, Any] | None, out: dict[str, Any], notes: list[str]
) -> None:
    if customer is None:
        p.ask(out, notes, "an access request needs the customer's id, email or full name, and "
              "none matched a customer; nothing was exported. Whose personal data should be "
              "exported (CUS-…, email or full name)?")  # fmt: skip
        return
    data = tools.call("export_customer_data", customer_id=customer["id"])
    out["export"] = data
    out["documents"] = [{"id": d["id"], "title": d["title"]} for d in data["contracts"]]
    counts = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list))
    notes.append(
        f"exported the personal data held on {customer['name']} ({customer['id']}): {counts}"
    )


def _documents(
    text: str,
    tools: ToolBox,
    kind: str | None,
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> None:
    docs: list[dict[str, Any]]
    if customer is not None and kind == "contract":
        docs = tools.call("list_documents", kind="contract", customer_id=customer["id"])
        if not docs:
            notes.append(f"no contract on file for {customer['name']} ({customer['id']})")
    elif kind is not None and p.has(text, r"\b(list|all)\b.*\b(contracts|terms|policies)\b"):
        docs = tools.call("list_documents", kind=kind)
    else:
        query = " ".join(w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP)
        docs = tools.call("search_documents", query=query or "policy", kind=kind, limit=3)
    party = _party(text) if customer is None else None
    if party is not None and docs:
        # A company the request names must be in the document: another company's agreement
        # is not an answer about this one.
        bodies = {d["id"]: tools.call("get_document", document_id=d["id"]) for d in docs}
        docs = [
            d for d in docs if party.lower() in f"{d['title']} {bodies[d['id']]['body']}".lower()
        ]
        if not docs:
            notes.append(
                f"no {kind or 'document'} naming {party} was found; nothing on file answers "
                "this, so no other company's document is quoted"
            )
    out["documents"] = [{"id": d["id"], "title": d["title"]} for d in docs]
    if not docs:
        if not notes:
            notes.append("no matching document was found")
        return
    best = tools.call("get_document", document_id=docs[0]["id"])
    excerpts = _excerpts(best["body"], text)
    out["excerpts"] = [{"document_id": best["id"], "text": e} for e in excerpts]
    notes.append(
        f"{best['title']} ({best['id']})"
        + (": " + " ".join(excerpts) if excerpts else "")
        + (f"; {len(docs)} documents found" if len(docs) > 1 else "")
    )


def _excerpts(body: str, question: str) -> list[str]:
    """The sentences of a document that share words with the question (at most three)."""
    # Three letters, so acronyms such as DPA and SLA count; six, so "renew" meets "renewing".
    words = {w for w in re.findall(r"[a-z]{3,}", question.lower()) if w not in _STOP}
    stems = {w[:6] for w in words}
    sentences = re.split(r"(?<=[.!?])\s+", body)
    hits = [s for s in sentences if stems & {w[:6] for w in re.findall(r"[a-z]{3,}", s.lower())}]
    return (hits or sentences[:2])[:3]


_NOT_PARTIES = {
    "Summarise", "Summarize", "Show", "What", "Does", "Do", "Is", "Are", "Our", "The", "Please",
    "Can", "Could", "Find", "Check", "Tell", "Which", "When", "Who", "How", "Terms", "Service",
    "Privacy", "Policy", "Agreement", "Contract", "Enterprise", "Master", "Services", "Data",
    "Processing", "Addendum", "Ltd", "GmbH", "Inc", "Corp", "LLC", "Article", "GDPR", "I",
}  # fmt: skip


def _party(text: str) -> str | None:
    """The company a request names ("our contract with Initech", "the Acme MSA"), if any."""
    m = re.search(r"\b(?:with|for|between us and)\s+([A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+)*)", text)
    words = [m.group(1)] if m else []
    words += re.findall(r"\b([A-Z][a-z][\w&-]+)\b", text)
    for w in words:
        first = w.split()[0]
        if first not in _NOT_PARTIES and not first.isupper():
            return first
    return None
