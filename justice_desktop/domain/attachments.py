"""Kinds of attachment (scans, photos, PDFs) and where each goes in the bound case file."""

from __future__ import annotations

__all__ = ["ATTACHMENT_KINDS", "DEFAULT_ATTACHMENT_KIND"]

#: ``attachments.kind`` → the document it stands for in the 卷宗 (binding order in domain.md).
ATTACHMENT_KINDS: dict[str, str] = {
    "identity": "当事人身份证明",
    "authorization": "授权委托书",
    "evidence": "证据材料",
    "performance": "履行凭证",
    "judicial": "司法确认材料",
    "other": "其他材料",
}
DEFAULT_ATTACHMENT_KIND = "evidence"
