"""The people's-mediation lifecycle: statuses, what each stage allows, and the legal rules.

Pure functions over plain values; every refusal is a ``ValidationError`` naming the field.
受理 → 调查 (optional) → 调解 → 达成协议 / 调解不成 → 回访 → 司法确认 (optional) → 结案 → 归档
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from justice_desktop.domain.deadlines import judicial_confirmation_last_day
from justice_desktop.validation import ValidationError

REGISTERED = "registered"
MEDIATING = "mediating"
SUCCEEDED = "succeeded"
FAILED = "failed"
CLOSED = "closed"
ARCHIVED = "archived"

STATUS_LABELS: dict[str, str] = {
    REGISTERED: "已受理",
    MEDIATING: "调解中",
    SUCCEEDED: "调解成功",
    FAILED: "调解不成",
    CLOSED: "已结案",
    ARCHIVED: "已归档",
}
OPEN_STATUSES = (REGISTERED, MEDIATING)

# Matters a court will not confirm (最高人民法院关于人民调解协议司法确认程序的若干规定 Art 4).
STATUS_MATTERS: dict[str, str] = {
    "identity": "身份关系",
    "adoption": "收养关系",
    "marriage": "婚姻关系",
}

ACTION_LABELS: dict[str, str] = {
    "edit_registration": "修改受理信息",
    "investigate": "调查",
    "mediate": "调解",
    "extend": "延长调解期限",
    "agree": "达成协议",
    "fail": "调解不成",
    "follow_up": "回访",
    "judicial_confirmation": "司法确认",
    "close": "结案",
    "archive": "归档",
    "attach": "添加附件",
}

_ALLOWED: dict[str, tuple[str, ...]] = {
    REGISTERED: (
        "edit_registration",
        "investigate",
        "mediate",
        "extend",
        "agree",
        "fail",
        "attach",
    ),
    MEDIATING: ("edit_registration", "investigate", "mediate", "extend", "agree", "fail", "attach"),
    SUCCEEDED: ("follow_up", "judicial_confirmation", "close", "attach"),
    FAILED: ("close", "attach"),
    CLOSED: ("archive", "attach"),
    ARCHIVED: (),
}


def allowed_actions(status: str) -> tuple[str, ...]:
    return _ALLOWED.get(status, ())


def require_action(status: str, action: str) -> None:
    if action not in allowed_actions(status):
        raise ValidationError(
            "status",
            f"案件当前状态为“{STATUS_LABELS.get(status, status)}”，不能进行“{ACTION_LABELS[action]}”。",
        )


@dataclass(frozen=True)
class Extension:
    new_due_on: date
    applicant_consent: bool
    respondent_consent: bool


def effective_due(mediation_due_on: date, extensions: Sequence[Extension]) -> date:
    """The mediation deadline after every extension both sides consented to."""
    due = mediation_due_on
    for ext in extensions:
        if ext.applicant_consent and ext.respondent_consent and ext.new_due_on > due:
            due = ext.new_due_on
    return due


def check_extension(
    current_due: date, ext: Extension, recorded_on: date, consent_record: str
) -> None:
    if not (ext.applicant_consent and ext.respondent_consent):
        missing = "、".join(
            label
            for label, ok in (
                ("申请人", ext.applicant_consent),
                ("被申请人", ext.respondent_consent),
            )
            if not ok
        )
        raise ValidationError(
            "consent", f"延长调解期限须经双方当事人同意，尚未记录{missing}的同意。"
        )
    if not consent_record.strip():
        raise ValidationError(
            "consent_record", "请填写双方同意延期的记录（如何表示同意、签名情况）。"
        )
    if ext.new_due_on <= current_due:
        raise ValidationError(
            "new_due_on",
            f"延长后的期限（{ext.new_due_on:%Y年%m月%d日}）须晚于现在的期限"
            f"（{current_due:%Y年%m月%d日}）。",
        )
    if recorded_on > current_due:
        raise ValidationError(
            "recorded_on",
            f"调解期限已于{current_due:%Y年%m月%d日}届满，须在届满前记录双方同意延期。"
            "已超期的案件请如实记录调解结果。",
        )


def check_within_deadline(activity_on: date, due: date, what: str, field: str) -> None:
    """Work on a case past its mediation deadline needs a recorded, consented extension."""
    if activity_on > due:
        raise ValidationError(
            field,
            f"{what}日期（{activity_on:%Y年%m月%d日}）已超过调解期限（{due:%Y年%m月%d日}）。"
            "超过期限继续调解须经双方当事人同意：请先记录“延长调解期限”。",
        )


def check_not_before(
    activity_on: date, earliest: date, what: str, field: str, earlier: str
) -> None:
    if activity_on < earliest:
        raise ValidationError(
            field,
            f"{what}日期（{activity_on:%Y年%m月%d日}）不能早于{earlier}（{earliest:%Y年%m月%d日}）。",
        )


def check_not_future(value: date, today: date, label: str, field: str) -> None:
    if value > today:
        raise ValidationError(field, f"{label}（{value:%Y年%m月%d日}）不能晚于今天。")


def check_success(has_agreement: bool) -> None:
    if not has_agreement:
        raise ValidationError(
            "agreement", "没有调解协议记录，不能登记为调解成功：请录入书面协议或口头协议内容。"
        )


def check_failure(reason: str, routes: Sequence[str]) -> None:
    if not reason.strip():
        raise ValidationError("failure_reason", "请填写调解不成的原因。")
    if not routes:
        raise ValidationError(
            "failure_routes",
            "调解不成的，须告知当事人可通过诉讼、仲裁或行政途径解决：请至少选择一项。",
        )


def check_judicial_confirmation(
    status_matter: str | None,
    agreement_form: str | None,
    effective_on: date | None,
    applied_on: date,
) -> None:
    if status_matter in STATUS_MATTERS:
        raise ValidationError(
            "status_matter",
            f"涉及确认{STATUS_MATTERS[status_matter]}的调解协议，人民法院不予司法确认。",
        )
    if agreement_form is None or effective_on is None:
        raise ValidationError("agreement", "没有调解协议，不能申请司法确认。")
    if agreement_form != "written":
        raise ValidationError("agreement", "口头协议不能申请司法确认，请先制作书面调解协议。")
    last = judicial_confirmation_last_day(effective_on)
    if applied_on < effective_on:
        raise ValidationError("applied_on", "申请司法确认的日期不能早于调解协议生效日期。")
    if applied_on > last:
        raise ValidationError(
            "applied_on",
            f"司法确认须在调解协议生效之日起30日内申请（最后一天为{last:%Y年%m月%d日}），已超过期限。",
        )


def check_close(status: str, open_follow_ups: int, done_follow_ups: int) -> None:
    if status == SUCCEEDED and done_follow_ups == 0:
        raise ValidationError("follow_up", "调解成功的案件须完成回访后才能结案。")
    if open_follow_ups:
        raise ValidationError("follow_up", f"还有{open_follow_ups}次回访未完成，完成后才能结案。")


def check_archive(volume_no: str, retention_period: str) -> None:
    if not volume_no.strip():
        raise ValidationError("volume_no", "请填写卷号。")
    if not retention_period.strip():
        raise ValidationError("retention_period", "请选择保管期限。")
